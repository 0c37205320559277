using MiaLab.Core.IO;
using MiaLab.Core.Runs;
using MiaLab.Core.Tests.IO;

namespace MiaLab.Core.Tests.Runs;

public class TargetMembersTests
{
    [Fact]
    public void A_bool_mask_over_the_population_is_the_membership()
    {
        using var dir = new TempFolder();
        Npy.Write(dir.File("m.npy"), new NpyArray(new[] { true, false, false, true }, 4));
        Assert.Equal([true, false, false, true], TargetMembers.Read(dir.File("m.npy"), 4));
    }

    [Fact]
    public void Wrong_length_dtype_or_a_one_sided_mask_is_one_line()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.npy");
        Npy.Write(path, new NpyArray(new[] { true, false, true }, 3));
        Assert.Equal($"{path}: target.members must have shape (4,), one flag per population sample, found (3,)",
            Assert.Throws<InputException>(() => TargetMembers.Read(path, 4)).Message);
        Npy.Write(path, new NpyArray(new long[] { 1, 0, 1, 0 }, 4));
        Assert.StartsWith($"{path}: target.members must have dtype bool, found int64",
            Assert.Throws<InputException>(() => TargetMembers.Read(path, 4)).Message);
        Npy.Write(path, new NpyArray(new bool[4], 4));
        Assert.StartsWith($"{path}: target.members marks no sample as a member",
            Assert.Throws<InputException>(() => TargetMembers.Read(path, 4)).Message);
        Npy.Write(path, new NpyArray(new[] { true, true, true, true }, 4));
        Assert.StartsWith($"{path}: target.members marks every sample as a member",
            Assert.Throws<InputException>(() => TargetMembers.Read(path, 4)).Message);
        Assert.Equal($"{dir.File("none.npy")}: target.members file not found",
            Assert.Throws<InputException>(() => TargetMembers.Read(dir.File("none.npy"), 4)).Message);
    }
}

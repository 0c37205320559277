using MiaLab.Core.IO;

namespace MiaLab.Core.Runs;

/// <summary>
/// The membership of an external target: a bool NPY [population] where true = the user's model
/// trained on that sample (the auditor knows it). It becomes row 0 of keep.npy, so every attack's
/// ROC is measured against it; it must hold at least one member and one non-member.
/// </summary>
public static class TargetMembers
{
    public static bool[] Read(string path, int population)
    {
        if (!File.Exists(path))
            throw new InputException(Directory.Exists(path) ? $"{path}: is a folder, expected target.members as a bool .npy file" : $"{path}: target.members file not found");
        var (dtype, shape) = Npy.ReadHeader(path);
        if (dtype != DType.Bool)
            throw new InputException($"{path}: target.members must have dtype bool, found {DTypes.Name(dtype)} (save it with numpy.save(path, mask.astype(bool)))");
        if (shape.Length != 1 || shape[0] != population)
            throw new InputException($"{path}: target.members must have shape ({population},), one flag per population sample, found {NpyArray.FormatShape(shape)}");
        var members = Npy.Read(path).Get<bool>();
        int count = members.Count(m => m);
        if (count == 0) throw new InputException($"{path}: target.members marks no sample as a member; membership needs members and non-members (leave target.members out to only score the samples)");
        if (count == members.Length) throw new InputException($"{path}: target.members marks every sample as a member; membership needs members and non-members (leave target.members out to only score the samples)");
        return members;
    }
}

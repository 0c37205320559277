using MiaLab.Core.IO;

namespace MiaLab.Core.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporary()
    {
        string dir = Directory.CreateTempSubdirectory("mialab-atomic").FullName;
        string path = Path.Combine(dir, "a.txt");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("crash"); }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void OnlyTemporariesOfDeadProcessesAreOrphaned()
    {
        // PIDs on Linux stay below 2^22, so int.MaxValue names no live process.
        Assert.True(AtomicFile.IsOrphanedTemporary($"/x/.model-0001.npz.{int.MaxValue}.0123abcd.tmp"));
        Assert.False(AtomicFile.IsOrphanedTemporary($"/x/.model-0001.npz.{Environment.ProcessId}.0123abcd.tmp"));
        Assert.False(AtomicFile.IsOrphanedTemporary("/x/model-0001.npz"));
        Assert.False(AtomicFile.IsOrphanedTemporary("/x/.hidden.tmp"));
    }

    [Fact]
    public void TheSameArraysGiveByteIdenticalNpzFiles()
    {
        string dir = Directory.CreateTempSubdirectory("mialab-npz").FullName;
        var arrays = new Dictionary<string, NpyArray> { ["w"] = new NpyArray(new float[] { 1, 2, 3 }, 3) };
        Npz.Write(Path.Combine(dir, "a.npz"), arrays);
        Thread.Sleep(1100); // a zip timestamp has 2-second resolution; cross a boundary if the time leaked in
        Npz.Write(Path.Combine(dir, "b.npz"), arrays);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "a.npz")), File.ReadAllBytes(Path.Combine(dir, "b.npz")));
    }
}

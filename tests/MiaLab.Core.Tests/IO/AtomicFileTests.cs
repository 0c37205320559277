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

    [Fact]
    public void TheContentsOwnFailurePassesThroughUnchanged()
    {
        // A download that breaks is the content's failure, not the file's: it keeps its type.
        using var dir = new TempFolder();
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(dir.File("a.bin"), _ => throw new IOException("response ended")));
        Assert.Equal("response ended", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void AFileSystemFailureIsOneLineNamingTheFile()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("plain"), "I am a file");
        var e = Assert.Throws<InputException>(() => AtomicFile.WriteAllText(Path.Combine(dir.File("plain"), "under.txt"), "x"));
        Assert.Contains("plain/under.txt: cannot write", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("cannot write", Assert.Throws<InputException>(() => AtomicFile.WriteAllText(dir.Path, "x")).Message);
        Assert.Contains("empty", Assert.Throws<InputException>(() => AtomicFile.WriteAllText("", "x")).Message);
    }

    [Fact]
    public void ALegalLongNameIsWrittenItsTemporaryNameStaysWithinTheLimit()
    {
        using var dir = new TempFolder();
        string name = new string('n', 250) + ".txt"; // 254 bytes: legal on Linux
        AtomicFile.WriteAllText(dir.File(name), "long");
        Assert.Equal("long", File.ReadAllText(dir.File(name)));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}

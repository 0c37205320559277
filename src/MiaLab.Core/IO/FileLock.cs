namespace MiaLab.Core.IO;

/// <summary>
/// A lock shared by every process that opens the same lock file: held while the returned
/// handle is open (the OS releases it if the process dies). Used to serialise changes to a run
/// directory's shared files (creating it, rebuilding manifest.json, writing metrics.json).
/// </summary>
public static class FileLock
{
    /// <summary>Waits up to <paramref name="timeout"/> (default two minutes) for the lock;
    /// <paramref name="waiting"/> is told once when another process holds it.</summary>
    public static IDisposable Acquire(string path, TimeSpan? timeout = null, Action<string>? waiting = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(path))
            {
                waiting?.Invoke($"waiting for another mialab process working on {Path.GetDirectoryName(path)}");
                waiting = null;
                Thread.Sleep(20); // another process holds it, usually for a few milliseconds
            }
            catch (IOException) when (File.Exists(path))
            {
                throw new InputException($"{path}: another mialab process has held this lock for too long; is one still running on this directory?");
            }
        }
    }
}

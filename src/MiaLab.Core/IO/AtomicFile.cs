namespace MiaLab.Core.IO;

/// <summary>
/// Writes files so that a reader (or a crash) never sees a half-written one: the content goes
/// to a temporary file in the same folder, is flushed to disk, then renamed over the target.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                writeContent(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>True for a temporary file of <see cref="Write"/> whose writing process is gone
    /// (killed mid-write): safe to delete. A live process's temporary file is never touched.</summary>
    public static bool IsOrphanedTemporary(string path)
    {
        var parts = Path.GetFileName(path).Split('.');
        // ".{name}.{pid}.{guid}.tmp" splits into "", name parts…, pid, guid, "tmp".
        if (parts.Length < 5 || parts[0] != "" || parts[^1] != "tmp" || !int.TryParse(parts[^3], out int pid)) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}

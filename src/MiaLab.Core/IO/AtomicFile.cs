namespace MiaLab.Core.IO;

/// <summary>
/// Writes files so that a reader (or a crash) never sees a half-written one: the content goes
/// to a temporary file in the same folder, is flushed to disk, then renamed over the target. A
/// file-system failure (disk full, no permission, a path that cannot exist) is one
/// <see cref="InputException"/> naming the file; the temporary file is removed and the target is
/// left as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Fault injection for crash tests: when this environment variable holds "TEXT" or
    /// "TEXT#k", the process kills itself (SIGKILL) during its k-th (default first) atomic write of a
    /// path containing TEXT, after the temporary file is written and before it is renamed: the worst
    /// moment for a crash. Unset, it costs one string comparison per write.</summary>
    public const string CrashVariable = "MIALAB_TEST_CRASH_AT";

    private static readonly (string Text, int Count)? CrashAt = ParseCrash(Environment.GetEnvironmentVariable(CrashVariable));
    private static int _matchingWrites;

    private static (string, int)? ParseCrash(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        int hash = value.LastIndexOf('#');
        return hash > 0 && int.TryParse(value[(hash + 1)..], out int k) ? (value[..hash], k) : (value, 1);
    }

    public static void Write(string path, Action<Stream> writeContent)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InputException("an output path is empty");
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        // A short temporary name: ".<name>.<pid>.<8 hex>.tmp" stays within the 255-byte limit for
        // every name of up to 230 bytes.
        string name = Path.GetFileName(full);
        string tmp = Path.Combine(dir, $".{(name.Length > 230 ? name[..230] : name)}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..8]}.tmp");
        Exception? contentError = null;
        try
        {
            Directory.CreateDirectory(dir);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                // The content's own failures (a dropped download, say) pass through as they are;
                // only this file's failures are reported as "cannot write".
                try { writeContent(new FileFailures(fs)); }
                catch (Exception e) when (e is not FileFailure) { contentError = e; }
                if (contentError is null) fs.Flush(flushToDisk: true);
            }
            if (contentError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(contentError);
            if (CrashAt is var (text, count) && full.Contains(text, StringComparison.Ordinal) && Interlocked.Increment(ref _matchingWrites) == count)
                System.Diagnostics.Process.GetCurrentProcess().Kill();
            File.Move(tmp, full, overwrite: true);
        }
        catch (FileFailure e)
        {
            throw new InputException($"{full}: cannot write ({Reason(e.InnerException!)})");
        }
        catch (Exception e) when (contentError is null && e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InputException($"{full}: cannot write ({Reason(e)})");
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* the error above is the one to report */ }
        }
    }

    /// <summary>The reason of a file-system exception in a few words ("No space left on device").</summary>
    public static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the path or one of its names is too long",
        DirectoryNotFoundException => "a folder on the path does not exist or is a file",
        _ => InputException.OneLine(e.Message),
    };

    /// <summary>True for a temporary file of <see cref="Write"/> whose writing process is gone
    /// (killed mid-write): safe to delete. A live process's temporary file is never touched.</summary>
    public static bool IsOrphanedTemporary(string path)
    {
        var parts = Path.GetFileName(path).Split('.');
        // ".{name}.{pid}.{random}.tmp" splits into "", name parts…, pid, random, "tmp".
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

    /// <summary>A write to the temporary file that failed (disk full, say).</summary>
    private sealed class FileFailure(Exception inner) : Exception(inner.Message, inner);

    /// <summary>The temporary file as the content writer sees it: its failures are marked as the file's.</summary>
    private sealed class FileFailures(FileStream file) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => file.CanSeek;
        public override bool CanWrite => true;
        public override long Length => file.Length;
        public override long Position { get => file.Position; set => file.Position = value; }
        public override void Flush() => Guard(file.Flush);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);
        public override void SetLength(long value) => Guard(() => file.SetLength(value));
        public override void Write(byte[] buffer, int offset, int count) => Guard(() => file.Write(buffer, offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try { file.Write(buffer); }
            catch (IOException e) { throw new FileFailure(e); }
        }

        private static void Guard(Action write)
        {
            try { write(); }
            catch (IOException e) { throw new FileFailure(e); }
        }
    }
}

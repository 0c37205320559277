using MiaLab.Core.IO;

namespace MiaLab.Core.Data;

/// <summary>
/// Fetches a Debian package's files without root: <c>apt-get download</c> (into a temporary
/// folder) and <c>dpkg-deb -x</c>. Each method returns null on success, otherwise a one-line
/// reason (what apt or dpkg answered), so the caller can try another way.
/// </summary>
internal static class AptPackage
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(10);

    /// <summary>Downloads the package with the system's package lists and extracts it into
    /// <paramref name="target"/> (replacing it only once the extraction is complete).</summary>
    public static string? FetchAndExtract(string package, string target, Action<string>? log, CancellationToken cancel) =>
        FetchAndExtract(package, target, [], log, cancel);

    /// <summary>
    /// As <see cref="FetchAndExtract(string, string, Action{string}?, CancellationToken)"/>, but
    /// first refreshes the package lists into <paramref name="stateFolder"/> (for a machine whose
    /// own lists are empty, as on a new container, or out of date). Works as any user: apt's lists,
    /// their lock and its binary caches all live in that folder; the system's are never touched.
    /// The folder is removed when the fetch ends.
    /// </summary>
    public static string? FetchAndExtractWithPrivateLists(string package, string target, string stateFolder,
        Action<string>? log, CancellationToken cancel)
    {
        string[] options = PrivateListOptions(stateFolder);
        // apt-get update refuses to start unless lists/partial already exists.
        Directory.CreateDirectory(Path.Combine(stateFolder, "lists", "partial"));
        Directory.CreateDirectory(Path.Combine(stateFolder, "cache"));
        log?.Invoke($"Refreshing package lists in {stateFolder} (apt-get update, no root needed)");
        try
        {
            var update = Run("apt-get", [.. options, "update"], stateFolder, cancel);
            if (!update.Started) return update.Failure;
            // apt-get update exits 0 even when no source could be reached (it only warns), and one
            // unreachable source does not spoil the others: try the download in any case, and when
            // it fails say what the update answered too.
            string? fetchError = FetchAndExtract(package, target, options, log, cancel);
            if (fetchError is null) return null;
            string? updateProblem = update.Failure ?? FirstProblem(update.Errors);
            return updateProblem is null ? fetchError : $"apt-get update: {updateProblem}; then {fetchError}";
        }
        finally
        {
            // Nothing reads the lists after the fetch; a failed fetch refreshes them again next time.
            TryDelete(stateFolder);
        }
    }

    /// <summary>The options that point apt-get at private package lists: the lists and their lock
    /// (Dir::State::Lists) and pkgcache.bin (Dir::Cache). The dpkg status file is only read.</summary>
    internal static string[] PrivateListOptions(string stateFolder) =>
    [
        "-o", $"Dir::State::Lists={Path.Combine(stateFolder, "lists")}",
        "-o", $"Dir::Cache={Path.Combine(stateFolder, "cache")}",
    ];

    private static string? FetchAndExtract(string package, string target, string[] aptOptions, Action<string>? log, CancellationToken cancel)
    {
        string work = Directory.CreateTempSubdirectory("mialab-fetch-").FullName;
        // Extract beside the target and rename, so an interrupted extraction never looks complete.
        string staging = $"{target}.partial-{Guid.NewGuid():N}";
        try
        {
            log?.Invoke($"Running apt-get download {package}");
            if (Run("apt-get", [.. aptOptions, "download", package], work, cancel).Failure is string downloadError) return downloadError;
            string? deb = Directory.GetFiles(work, "*.deb").FirstOrDefault();
            if (deb is null) return "apt-get download produced no .deb file";

            log?.Invoke($"Extracting {Path.GetFileName(deb)} into {target}");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (Run("dpkg-deb", ["-x", deb, staging], work, cancel).Failure is string extractError) return extractError;
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true); // an earlier, incomplete copy of ours
            Directory.Move(staging, target);
            return null;
        }
        finally
        {
            TryDelete(work);
            TryDelete(staging);
        }
    }

    /// <summary>What a program run answered. Failure: null on exit code 0, else a one-line reason;
    /// Errors: everything it wrote to stderr; Started: false when it could not even be started.</summary>
    private readonly record struct Outcome(string? Failure, string Errors, bool Started = true);

    /// <summary>Runs a program with captured output.</summary>
    private static Outcome Run(string program, string[] args, string workingDirectory, CancellationToken cancel)
    {
        // The options are long paths; the reason names the command by its verb.
        string command = $"{program} {string.Join(' ', args.Where(a => a != "-o" && !a.StartsWith("Dir::", StringComparison.Ordinal)))}";
        var r = ExternalProgram.Run(program, args, CommandLimit, workingDirectory, cancel);
        // ENOENT: a machine without apt (or dpkg); its long message would name only our working folder.
        if (!r.Started) return new(r.Stderr, "", Started: false);
        if (r.TimedOut) return new($"{command} did not finish within {CommandLimit.TotalMinutes:0} minutes", "");
        return new(r.ExitCode == 0 ? null : $"{command} exited with code {r.ExitCode}: {FirstProblem(r.Stderr) ?? LastLine(r.Stderr)}", r.Stderr);
    }

    /// <summary>apt's first error ("E: …") or failed fetch ("W: Failed to fetch …"); its other
    /// warnings (such as running unsandboxed as root) say nothing about why a fetch failed.</summary>
    private static string? FirstProblem(string stderr) =>
        Lines(stderr).FirstOrDefault(l => l.StartsWith("E:", StringComparison.Ordinal) || l.StartsWith("W: Failed to fetch", StringComparison.Ordinal));

    private static string LastLine(string text) => Lines(text).LastOrDefault() ?? "no error output";

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the error that matters is reported elsewhere.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

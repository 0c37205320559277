using System.Diagnostics;
using System.Text;

// Each test starts `dotnet mialab.dll` processes; two at a time keeps a 2-core machine responsive.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]

namespace MiaLab.Cli.Tests;

/// <summary>What one finished `mialab` process left: its exit code and everything it printed.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Everything the process printed, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the real CLI (mialab.dll, copied beside the tests by the project reference) in a child
/// process, so the tests see true exit codes, stdout and stderr, and can kill it.
/// </summary>
public static class Cli
{
    /// <summary>Generous: a tiny training run takes seconds, but the machine may be busy.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(180);

    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "mialab.dll");

    /// <summary>Runs `mialab args…` in <paramref name="workDir"/> and waits for it to exit.</summary>
    public static CliResult Run(string workDir, params string[] args) => Run(workDir, DefaultTimeout, args);

    public static CliResult Run(string workDir, TimeSpan timeout, params string[] args)
    {
        using var process = Start(workDir, args);
        return process.WaitForResult(timeout);
    }

    /// <summary>Runs `mialab args…` with some environment variables set (or, with a null value, removed).</summary>
    public static CliResult RunWithEnvironment(string workDir, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(workDir, environment, args);
        return process.WaitForResult(DefaultTimeout);
    }

    /// <summary>Starts `mialab args…` without waiting (for tests that interrupt it).</summary>
    public static RunningCli Start(string workDir, params string[] args) => Start(workDir, null, args);

    /// <summary>Starts `mialab args…` with some environment variables set (or, with a null value, removed).</summary>
    public static RunningCli Start(string workDir, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        Assert.True(File.Exists(DllPath), $"{DllPath} not found: the test project must reference MiaLab.Cli");
        var psi = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        if (environment is not null)
            foreach (var (name, value) in environment)
                if (value is null) psi.Environment.Remove(name);
                else psi.Environment[name] = value;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        process.StandardInput.Close();
        return new RunningCli(process);
    }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else `dotnet` on PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }


    /// <summary>Asserts the CLI's contract for a user mistake: exit code 2, one line on stderr
    /// starting "mialab:", and no stack trace anywhere. Returns that line.</summary>
    public static string AssertUserError(CliResult r)
    {
        Assert.True(r.ExitCode == 2, $"expected exit code 2 (user error), got:\n{r}");
        var lines = r.Stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"expected exactly one line on stderr, got {lines.Length}:\n{r}");
        Assert.StartsWith("mialab:", lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stdout);
        Assert.DoesNotContain("Exception", r.Stderr);
        return lines[0];
    }

    /// <summary>Asserts exit code 0 (printing everything the process said when it is not).</summary>
    public static CliResult AssertSuccess(CliResult r)
    {
        Assert.True(r.ExitCode == 0, $"expected exit code 0, got:\n{r}");
        return r;
    }
}

/// <summary>Base of the test classes: fresh temporary working folders, removed after each test.</summary>
public abstract class CliTest : IDisposable
{
    private readonly List<string> _workDirs = [];

    /// <summary>A fresh temporary working folder (mialab-cli…) for this test.</summary>
    protected string NewWorkDir()
    {
        string dir = Directory.CreateTempSubdirectory("mialab-cli").FullName;
        _workDirs.Add(dir);
        return dir;
    }

    public void Dispose()
    {
        foreach (var dir in _workDirs)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a leftover temp folder does not fail a test
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>A started `mialab` process whose output is collected in the background.</summary>
public sealed class RunningCli : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    internal RunningCli(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL on Linux, for the process and anything it started.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public CliResult WaitForResult(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Assert.Fail($"mialab did not finish within {timeout.TotalSeconds:0} s; killed. stdout so far:\n{_stdout.Result}\nstderr:\n{_stderr.Result}");
        }
        _process.WaitForExit(); // drains the redirected streams
        return new CliResult(_process.ExitCode, _stdout.Result, _stderr.Result);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}

using System.Diagnostics;
using System.IO.Compression;

namespace MiaLab.Cli.Tests;

/// <summary>
/// `dotnet pack` makes MiaLab a .NET tool (command mialab) and its libraries NuGet packages; the
/// tool installs into a tool path from a local folder alone and runs an audit there, its libtorch
/// patched for this host. Packs the Debug build the tests already made (--no-build).
/// </summary>
[Collection(MachineLoadCollection.Name)]
public sealed class ToolPackageTests : CliTest
{
    [Fact]
    public void The_packed_tool_installs_from_a_local_folder_and_runs_an_audit()
    {
        string work = NewWorkDir();
        string solution = Path.Combine(RepositoryRoot(), "MiaLab.slnx");
        string packages = Path.Combine(work, "packages");
        Run("dotnet", ["pack", solution, "--no-build", "-c", "Debug", "-o", packages, "--nologo"], work, TimeSpan.FromMinutes(8));
        var made = Directory.EnumerateFiles(packages, "*.nupkg").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["MiaLab.0.1.0.nupkg", "MiaLab.Core.0.1.0.nupkg", "MiaLab.Experiments.0.1.0.nupkg", "MiaLab.Onnx.0.1.0.nupkg",
            "MiaLab.Reports.0.1.0.nupkg", "MiaLab.Torch.0.1.0.nupkg"], made); // the tests are not packages
        using (var tool = ZipFile.OpenRead(Path.Combine(packages, "MiaLab.0.1.0.nupkg")))
        {
            Assert.Contains(tool.Entries, e => e.FullName == "tools/net10.0/any/DotnetToolSettings.xml");
            // linux-x64's natives only: the other platforms' libtorch copies would triple the package.
            Assert.Contains(tool.Entries, e => e.FullName.EndsWith("runtimes/linux-x64/native/libLibTorchSharp.so", StringComparison.Ordinal));
            Assert.DoesNotContain(tool.Entries, e => e.FullName.Contains("runtimes/win-x64/", StringComparison.Ordinal));
        }

        // Only the local folder as a source: the install needs no registry.
        string config = TestFiles.Write(work, "nuget.config",
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration><packageSources><clear /><add key=\"local\" value=\"{packages}\" /></packageSources></configuration>\n");
        string tools = Path.Combine(work, "tools");
        Run("dotnet", ["tool", "install", "MiaLab", "--version", "0.1.0", "--tool-path", tools, "--configfile", config], work, TimeSpan.FromMinutes(5));
        string mialab = Path.Combine(tools, "mialab");
        Assert.Contains("Usage:", Run(mialab, ["--help"], work, TimeSpan.FromMinutes(1)));

        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 4, epochs: 3));
        string audit = Run(mialab, ["audit", "--config", "tiny.yaml", "--run", "runs/tool", "--attacks", "loss,lira-online", "--bootstrap", "0"], work,
            TimeSpan.FromMinutes(5));
        Assert.Contains("lira-online", audit);
        Assert.True(File.Exists(Path.Combine(work, "runs/tool/report/index.html")), audit);
    }

    private static string Run(string program, string[] args, string workDir, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {timeout}");
        }
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} exited with {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MiaLab.slnx"))) return dir.FullName;
        throw new InvalidOperationException("MiaLab.slnx not found above the test folder");
    }
}

/// <summary>Tests that load the machine on their own (packing 150 MB, SLURM tasks training beside
/// the test process): run alone, after the others, so they do not slow the CLI tests' timeouts.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MachineLoadCollection
{
    public const string Name = "machine load";
}

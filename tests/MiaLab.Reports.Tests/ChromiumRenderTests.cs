using System.Diagnostics;

namespace MiaLab.Reports.Tests;

/// <summary>Renders the report in headless Chromium. CI installs Chromium; a machine without it fails
/// this test with instructions rather than skipping it silently.</summary>
public sealed class ChromiumRenderTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static void RequireChromium() =>
        Assert.True(File.Exists(ChromiumPath),
            $"Chromium is not installed at {ChromiumPath}; the report rendering test needs it. " +
            "Install it with `apt-get update && apt-get install -y chromium` (CI installs it).");

    private static (int ExitCode, string Stdout, string Stderr) RunChromium(string profileDir, params string[] args)
    {
        var psi = new ProcessStartInfo(ChromiumPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profileDir}",
        })
        {
            psi.ArgumentList.Add(a);
        }
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start chromium");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"chromium did not finish within {Timeout.TotalSeconds} s");
        }
        process.WaitForExit(); // flush the redirected streams
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void HeadlessChromium_RendersTheReport()
    {
        RequireChromium();
        string dir = ReportTestData.TempDirectory();
        string index = AuditReport.Write(ReportTestData.Standard(), Path.Combine(dir, "report"));
        string url = new Uri(index).AbsoluteUri;
        string screenshot = Path.Combine(dir, "screenshot.png");

        var shot = RunChromium(Path.Combine(dir, "profile-shot"), $"--screenshot={screenshot}", "--window-size=1200,2400", url);
        Assert.True(File.Exists(screenshot), $"no screenshot (exit {shot.ExitCode}): {shot.Stderr}");
        long size = new FileInfo(screenshot).Length;
        Assert.True(size > 20_000, $"screenshot is only {size} bytes — the page probably rendered blank");

        var dom = RunChromium(Path.Combine(dir, "profile-dom"), "--dump-dom", url);
        Assert.True(dom.ExitCode == 0, $"chromium --dump-dom exited {dom.ExitCode}: {dom.Stderr}");
        Assert.Contains("<table id=\"attacks-table\"", dom.Stdout);
        Assert.Contains("data-attack=\"lira-online\"", dom.Stdout);
        Assert.Contains("The strongest attack, lira-online", dom.Stdout);
        // The escaped script name stays text: the browser created no script element from it.
        Assert.DoesNotContain("<script", dom.Stdout, StringComparison.OrdinalIgnoreCase);
    }
}

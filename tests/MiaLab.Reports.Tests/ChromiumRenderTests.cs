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
        Assert.Contains("data-key=\"lira-online\"", dom.Stdout);
        Assert.Contains("The strongest attack, lira-online", dom.Stdout);
        // The escaped script name stays text: the browser created no script element from it.
        Assert.DoesNotContain("<script", dom.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The built-in audit's report (14 attacks, every TPR cell with all its lines, unscored counts)
    /// fits a 1280 px window and a 1024 px one: nothing of the attacks table needs a sideways scrollbar.
    /// A copy of the page makes every box overflow visibly (no scroll container can hide a too-wide table)
    /// and paints the page's surroundings magenta; anything the table pushes past the right edge of the
    /// page shows up as non-magenta pixels in the margin of the screenshot. The 1024 px window is
    /// emulated by a 1024 px wide page in the 1280 px window (no style rule of the page depends on the
    /// window width between the two), which leaves a margin to look at.</summary>
    [Theory]
    [InlineData(1120)] // the page's own maximum width: what a 1280 px window shows
    [InlineData(1024)] // a 1024 px window, where the page fills the window
    public void TheAttacksTableFitsTheWindow(int pageWidth)
    {
        RequireChromium();
        string dir = ReportTestData.TempDirectory();
        string index = AuditReport.Write(Wide.Value, Path.Combine(dir, "report"));
        string probe = Path.Combine(dir, "report", "probe.html");
        const string Reveal = "<style>* { overflow: visible !important; } html, body { background: #ff00ff !important; } " +
            "main { margin-top: 0 !important; max-width: {W}px !important; }</style>\n</head>";
        File.WriteAllText(probe, File.ReadAllText(index).Replace("</head>", Reveal.Replace("{W}", pageWidth.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        string screenshot = Path.Combine(dir, "probe.png");
        var shot = RunChromium(Path.Combine(dir, "profile"), $"--screenshot={screenshot}", "--window-size=1280,2600", new Uri(probe).AbsoluteUri);
        Assert.True(File.Exists(screenshot), $"no screenshot (exit {shot.ExitCode}): {shot.Stderr}");

        using var bitmap = SkiaSharp.SKBitmap.Decode(screenshot);
        Assert.Equal(1280, bitmap.Width);
        int pageRight = (1280 + pageWidth) / 2;
        // The page itself is there: white at its right edge, just inside the border.
        Assert.Equal(SkiaSharp.SKColors.White, bitmap.GetPixel(pageRight - 4, 400));
        int spilled = 0, firstY = -1;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = pageRight + 2; x < bitmap.Width; x++)
            {
                SkiaSharp.SKColor c = bitmap.GetPixel(x, y);
                if (c.Red < 235 || c.Green > 20 || c.Blue < 235)
                {
                    spilled++;
                    if (firstY < 0) firstY = y;
                }
            }
        }
        Assert.True(spilled == 0, $"{spilled} pixels right of the {pageWidth} px page, from y = {firstY}: something is wider than the page ({screenshot})");
    }

    private static readonly Lazy<ReportInput> Wide = new(() => ReportTestData.Audit());
}

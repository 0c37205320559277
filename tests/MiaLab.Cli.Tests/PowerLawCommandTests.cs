namespace MiaLab.Cli.Tests;

/// <summary>`mialab experiment power-law`: the quick study as CI runs it (on Fashion-MNIST), and its user errors.</summary>
public class PowerLawCommandTests : CliTest
{
    [Fact]
    public void TheQuickStudyWritesItsTablesFitsAndPageAndARerunReusesEverything()
    {
        string work = NewWorkDir();
        var timeout = TimeSpan.FromMinutes(10); // seconds of CPU, but the machine may be shared
        var first = Cli.Run(work, timeout, "experiment", "power-law", "--quick", "--run", "P");
        Cli.AssertSuccess(first);
        Assert.Contains("β_S", first.Stdout);
        string folder = Path.Combine(work, "P");
        foreach (var file in new[] { "power-law.md", "power-law.csv", "power-law-fits.csv", "power-law-vulnerable.csv", "power-law.json", "report.html",
                     "backbone/weights.npz", "s0002-seed0/features.npy", "s0016-seed1/logits.npy" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} missing");
        Assert.Contains("The fitted laws", File.ReadAllText(Path.Combine(folder, "power-law.md")));

        var stamps = Directory.GetFiles(folder, "*.np?", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Cli.AssertSuccess(Cli.Run(work, timeout, "experiment", "power-law", "--quick", "--run", "P"));
        foreach (var (file, stamp) in stamps) Assert.Equal(stamp, File.GetLastWriteTimeUtc(file)); // backbone, features, heads reused
    }

    public static TheoryData<string[], string> BadArguments() => new()
    {
        { ["--shots", "0,2,4"], "--shots: S (examples per class) must be at least 1 (got 0)" },
        { ["--shots", "1,x,4"], "--shots: 'x' is not a whole number" },
        { ["--shots", "1,2"], "fewer than three S values are left to fit" },
        { ["--shadows", "1"], "--shadows must be between 2 and 10000 (got 1)" },
        { ["--classes", "6"], "--classes must be between 2 and 5" },
        // Fashion-MNIST has 6,000 training images of each class: S = 4000 needs 8,000.
        { ["--shots", "2,4,4000"], "S = 4000 needs 8000 samples of class 5 (Sandal)" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgumentsAreOneLineAndExitCode2AndWriteNothing(string[] arguments, string expected)
    {
        string work = NewWorkDir();
        string line = Cli.AssertUserError(Cli.Run(work, ["experiment", "power-law", "--quick", "--run", "P", .. arguments]));
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(Path.Combine(work, "P")));
    }

    [Fact]
    public void ABackboneWhoseFeaturesDoNotFitTheHeadIsRefused()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "head.yaml", "power_law:\n  head_inputs: 64\n");
        string line = Cli.AssertUserError(Cli.Run(work, "experiment", "power-law", "--config", "head.yaml", "--run", "P"));
        Assert.Contains("the backbone's point 'dense' gives 128 features but the head takes 64", line);
        Assert.False(Directory.Exists(Path.Combine(work, "P")));
    }
}

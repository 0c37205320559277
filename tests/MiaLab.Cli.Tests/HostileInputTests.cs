using System.CommandLine;
using System.Text;
using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>
/// The groups of hostile inputs that once broke the one-line-error contract (issue 14): each is
/// exit code 2, one line on stderr, no stack trace, and no file written or changed.
/// </summary>
public sealed class HostileInputTests : CliTest
{
    private string TrainedRun(out string work)
    {
        work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 4, samples: 300, holdout: 60));
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "R"));
        return Path.Combine(work, "R");
    }

    private static void Unchanged(SortedDictionary<string, byte[]> before, string dir)
    {
        var after = TestFiles.Snapshot(dir);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");
    }

    // 1. A deeply nested .npy header.
    [Fact]
    public void ADeeplyNestedNpyHeaderIsRefusedNotAStackOverflow()
    {
        string work = NewWorkDir();
        string descr = new string('[', 20_000) + new string(']', 20_000);
        string header = "{'descr': " + descr + ", 'fortran_order': False, 'shape': (3,), }";
        header = header.PadRight(((header.Length + 11) / 64 + 1) * 64 - 11) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0 };
        bytes.AddRange(BitConverter.GetBytes(header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        File.WriteAllBytes(Path.Combine(work, "deep.npy"), [.. bytes]);
        TestFiles.Write(work, "m.npy", ""); // any file: the scores are read first
        string line = Cli.AssertUserError(Cli.Run(work, "evaluate", "--scores", "deep.npy", "--membership", "m.npy"));
        Assert.Contains("nested more than", line);
    }

    // 2. File-system errors.
    [Fact]
    public void FileSystemErrorsAreOneLine()
    {
        string run = TrainedRun(out string work);
        TestFiles.Write(work, "plain", "a file");
        // An output under a file, a folder as an output file, a 256-byte name, a path over 4096 bytes.
        Assert.Contains("cannot write", Cli.AssertUserError(Cli.Run(work, "signal", "--logits", "R/logits/model-0000.npy", "--labels", "R/labels.npy", "--kind", "loss", "--out", "plain/x.npy")));
        Assert.Contains("cannot write", Cli.AssertUserError(Cli.Run(work, "signal", "--logits", "R/logits/model-0000.npy", "--labels", "R/labels.npy", "--kind", "loss", "--out", "R")));
        Cli.AssertUserError(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", new string('r', 256)));
        Cli.AssertUserError(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", string.Join("/", Enumerable.Repeat(new string('d', 200), 25))));
        Cli.AssertUserError(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "plain/R"));
        // A legal 250-byte output name works: the temporary name stays within the limit.
        Cli.AssertSuccess(Cli.Run(work, "signal", "--logits", "R/logits/model-0000.npy", "--labels", "R/labels.npy", "--kind", "loss", "--out", new string('o', 246) + ".npy"));

        // Inside a run: attacks/ a file, report/ a file, metrics.json a folder.
        File.WriteAllText(Path.Combine(run, "attacks"), "not a folder");
        Assert.Contains("cannot write", Cli.AssertUserError(Cli.Run(work, "attack", "--run", "R", "--attacks", "loss", "--bootstrap", "0")));
        File.Delete(Path.Combine(run, "attacks"));
        Directory.CreateDirectory(Path.Combine(run, "metrics.json"));
        Assert.Contains("metrics.json", Cli.AssertUserError(Cli.Run(work, "attack", "--run", "R", "--attacks", "loss", "--bootstrap", "0")));
        Directory.Delete(Path.Combine(run, "metrics.json"));
        File.WriteAllText(Path.Combine(run, "report"), "not a folder");
        Cli.AssertUserError(Cli.Run(work, "attack", "--run", "R", "--attacks", "loss", "--bootstrap", "0"));
    }

    // 3. YAML syntax errors the library reports in its own way.
    [Fact]
    public void AnUnclosedFlowSequenceIsOneLine()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "bad.yaml", TestFiles.TinyYaml().Replace("  hidden: [16]", "  hidden: [32"));
        Assert.Contains("not valid YAML", Cli.AssertUserError(Cli.Run(work, "train", "--config", "bad.yaml", "--run", "R")));
        Assert.False(Directory.Exists(Path.Combine(work, "R")));
    }

    // 4. Every numeric option has a range; 6. an empty list is an error. Walked over every command.
    [Fact]
    public void EveryOptionRefusesAnEmptyANegativeAndAHugeValueBeforeAnyWork()
    {
        string work = NewWorkDir();
        int walked = 0;
        foreach (var (path, command) in Commands(MiaLab.Cli.Program.BuildRoot()))
            foreach (var option in command.Options.Where(o => o.ValueType != typeof(bool) && o.Name.StartsWith("--", StringComparison.Ordinal)))
            {
                bool numeric = option.ValueType != typeof(string);
                // The other required options get a harmless value, so only the value under test can be wrong.
                var required = command.Options.Where(o => o.Required && o != option)
                    .SelectMany(o => new[] { o.Name, o.ValueType == typeof(string) ? "x" : o.ValueType == typeof(double) ? "0.5" : "1" });
                foreach (string value in numeric ? new[] { "", "-1", "1e300", "99999999999" } : [""])
                {
                    string line = Cli.AssertUserError(Cli.Run(work, [.. path, .. required, option.Name, value]));
                    Assert.True(line.Contains(option.Name, StringComparison.Ordinal), $"{string.Join(" ", path)} {option.Name} '{value}': {line}");
                    walked++;
                }
            }
        Assert.True(walked > 30, $"only {walked} option values walked");
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    private static IEnumerable<(string[] Path, Command Command)> Commands(Command command, string[]? path = null)
    {
        path ??= [];
        if (command.Subcommands.Count == 0) yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var item in Commands(sub, [.. path, sub.Name]))
                yield return item;
    }

    // 5. Shapes are checked.
    [Fact]
    public void ShapesThatDoNotFitAreRefused()
    {
        string work = NewWorkDir();
        Npy.Write(Path.Combine(work, "s100.npy"), new NpyArray(new double[100], 100));
        Npy.Write(Path.Combine(work, "s10x10.npy"), new NpyArray(new double[100], 10, 10));
        Npy.Write(Path.Combine(work, "m100.npy"), new NpyArray(Enumerable.Range(0, 100).Select(i => i % 2 == 0).ToArray(), 100));
        Npy.Write(Path.Combine(work, "m10x10.npy"), new NpyArray(Enumerable.Range(0, 100).Select(i => i % 2 == 0).ToArray(), 10, 10));
        Assert.Contains("one-dimensional", Cli.AssertUserError(Cli.Run(work, "evaluate", "--scores", "s10x10.npy", "--membership", "m100.npy")));
        Assert.Contains("one-dimensional", Cli.AssertUserError(Cli.Run(work, "evaluate", "--scores", "s100.npy", "--membership", "m10x10.npy")));

        // Data longer than the header says.
        var bytes = File.ReadAllBytes(Path.Combine(work, "s100.npy")).Concat(new byte[8]).ToArray();
        File.WriteAllBytes(Path.Combine(work, "long.npy"), bytes);
        Assert.Contains("bytes follow the data", Cli.AssertUserError(Cli.Run(work, "evaluate", "--scores", "long.npy", "--membership", "m100.npy")));

        // Probabilities that are not, labels that are not class indices.
        Npy.Write(Path.Combine(work, "probs.npy"), new NpyArray(Enumerable.Repeat(5.0f, 30).ToArray(), 10, 3));
        Npy.Write(Path.Combine(work, "y.npy"), new NpyArray(new long[10], 10));
        Npy.Write(Path.Combine(work, "y2d.npy"), new NpyArray(new long[10], 10, 1));
        Npy.Write(Path.Combine(work, "ybool.npy"), new NpyArray(new bool[10], 10));
        Assert.Contains("probabilities", Cli.AssertUserError(Cli.Run(work, "signal", "--logits", "probs.npy", "--labels", "y.npy", "--kind", "loss", "--probs", "--out", "o.npy")));
        Assert.Contains(".reshape(-1)", Cli.AssertUserError(Cli.Run(work, "signal", "--logits", "probs.npy", "--labels", "y2d.npy", "--kind", "loss", "--out", "o.npy")));
        Assert.Contains("dtype bool", Cli.AssertUserError(Cli.Run(work, "signal", "--logits", "probs.npy", "--labels", "ybool.npy", "--kind", "loss", "--out", "o.npy")));
        Assert.False(File.Exists(Path.Combine(work, "o.npy")));
    }

    // 7. Damage is reported, not success.
    [Fact]
    public void DamagedWeightsAndAnAlteredKeepAreNoticed()
    {
        string run = TrainedRun(out string work);
        File.WriteAllBytes(Path.Combine(run, "models", "model-0002.npz"), [1, 2, 3]);
        File.Delete(Path.Combine(run, "logits", "model-0002.npy"));
        Assert.Contains("model(s) 2 have no valid weights", Cli.AssertUserError(Cli.Run(work, "query", "--run", "R")));

        string keep = Path.Combine(run, "keep.npy");
        var flags = Npy.Read(keep).Get<bool>();
        flags[5] = !flags[5];
        Npy.Write(keep, new NpyArray(flags, 4, flags.Length / 4));
        Assert.Contains("keep.npy: changed since the run was planned", Cli.AssertUserError(Cli.Run(work, "attack", "--run", "R", "--attacks", "loss")));
        Assert.Contains("keep.npy: changed since the run was planned", Cli.AssertUserError(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "R")));
    }

    // 8. Configs that do not fit their data; 9. checked before the first byte is written.
    public static TheoryData<string, string, string> UnfitConfigs() => new()
    {
        { "an empty config", "", "the config is empty" },
        { "hflip queries of vectors", TestFiles.TinyYaml().Replace("[identity]", "[identity, hflip]"), "hflip" },
        { "a flip augmentation of vectors", TestFiles.TinyYaml().Replace("  batch_size: 32\n", "  batch_size: 32\n  augment_flip: true\n"), "augment_flip" },
        { "a cnn on vectors", TestFiles.TinyYaml().Replace("  kind: mlp", "  kind: cnn"), "needs images" },
    };

    [Theory]
    [MemberData(nameof(UnfitConfigs))]
    public void AConfigThatDoesNotFitItsDataWritesNothing(string what, string yaml, string named)
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "bad.yaml", yaml);
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "bad.yaml", "--run", "R"));
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"{what}: {line}");
        Assert.False(Directory.Exists(Path.Combine(work, "R")) && Directory.EnumerateFileSystemEntries(Path.Combine(work, "R")).Any(), $"{what}: files were written");
        // The corrected config is then accepted: nothing of the failed attempt is in its way.
        TestFiles.Write(work, "good.yaml", TestFiles.TinyYaml(epochs: 1));
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "good.yaml", "--run", "R"));
    }

    [Theory]
    [InlineData("one class", "0", "needs a classifier of at least 2 classes")]
    [InlineData("a label typo", "200000", "run up to 200000 but only 3 distinct values appear")]
    public void CsvLabelsThatAreNoClassesAreRefusedAtThePlan(string what, string oddLabel, string named)
    {
        string work = NewWorkDir();
        var csv = new StringBuilder("label,a,b\n");
        for (int i = 0; i < 120; i++) csv.Append(i == 7 ? oddLabel : what == "one class" ? "0" : (i % 2).ToString()).Append(',').Append(i).Append(',').Append(i % 5).Append('\n');
        TestFiles.Write(work, "d.csv", csv.ToString());
        TestFiles.Write(work, "c.yaml", TestFiles.TinyYaml(datasetSection: "  source: csv\n  path: d.csv\n  holdout: 20"));
        Assert.Contains(named, Cli.AssertUserError(Cli.Run(work, "train", "--config", "c.yaml", "--run", "R")));
        Assert.False(Directory.Exists(Path.Combine(work, "R")));
    }

    [Fact]
    public void OptionsAreCheckedBeforeTrainingOrScoring()
    {
        string run = TrainedRun(out string work);
        var before = TestFiles.Snapshot(run);
        Cli.AssertUserError(Cli.Run(work, "attack", "--run", "R", "--bootstrap", "-5"));
        Cli.AssertUserError(Cli.Run(work, "attack", "--run", "R", "--attacks", "loss,bogus"));
        Cli.AssertUserError(Cli.Run(work, "mint", "train", "--run", "R", "--epochs", "0"));
        Unchanged(before, run);
        // audit rejects an attack name before it trains a single model.
        Assert.Contains("unknown attack 'bogus'", Cli.AssertUserError(Cli.Run(work, "audit", "--config", "tiny.yaml", "--run", "A", "--attacks", "bogus")));
        Assert.False(Directory.Exists(Path.Combine(work, "A")));
    }

    // 10. Races: two attack processes at once both end up in metrics.json.
    [Fact]
    public void TwoAttackProcessesAtOnceLoseNeitherResult()
    {
        string run = TrainedRun(out string work);
        using (var a = Cli.Start(work, "attack", "--run", "R", "--attacks", "loss,entropy", "--bootstrap", "200"))
        using (var b = Cli.Start(work, "attack", "--run", "R", "--attacks", "rmia-online,lira-offline", "--bootstrap", "200"))
        {
            Cli.AssertSuccess(a.WaitForResult(Cli.DefaultTimeout));
            Cli.AssertSuccess(b.WaitForResult(Cli.DefaultTimeout));
        }
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        Assert.Equal(["entropy", "lira-offline", "loss", "rmia-online"],
            metrics.RootElement.GetProperty("targets")[0].GetProperty("attacks").EnumerateObject().Select(p => p.Name));
    }

    // 12. Divergence and unknown commands.
    [Fact]
    public void DivergedTrainingStopsWithOneLineAndKeepsNothingOfIt()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "hot.yaml", TestFiles.TinyYaml(models: 2).Replace("  batch_size: 32\n", "  batch_size: 32\n  learning_rate: 10000000000\n"));
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "hot.yaml", "--run", "R"));
        Assert.Matches("training model 0 diverged in epoch 1", line);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(work, "R", "models")));
        Assert.Contains("unknown command 'bogus-command'", Cli.AssertUserError(Cli.Run(work, "bogus-command")));
    }
}

using MiaLab.Experiments.Studies;
using MiaLab.Core.Randomness;
using System.Text.Json;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Experiments.Tests;

public sealed class QuickStudyTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("mialab-factors-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// 180 random 1×8×8 images in 3 classes whose brightness pattern differs by class, as an npz.
    private string TinyImages()
    {
        var random = new StableRandom(5);
        int n = 180;
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 3)).ToArray();
        var pixels = new float[n * 64];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < 64; p++) pixels[i * 64 + p] = (float)(random.NextDouble() * 0.6 + 0.25 * labels[i] * (p % 2));
        string path = Path.Combine(dir, "tiny.npz");
        Npz.Write(path, new Dictionary<string, NpyArray> { ["x"] = new(pixels, n, 1, 8, 8), ["y"] = new(labels, n) });
        return path;
    }

    private FactorStudyPlan Plan()
    {
        var b = FactorStudyPlan.QuickBase();
        b.Dataset.Source = "npz";
        b.Dataset.Path = TinyImages();
        b.Dataset.Population = 120;
        b.Dataset.Holdout = 60;
        b.Training.Epochs = 2;
        return FactorStudyPlan.Quick(b) with { MintEpochs = 2 };
    }

    [Fact]
    public void TheQuickStudyRunsEndToEndAndARerunTrainsNothing()
    {
        var plan = Plan();
        string output = Path.Combine(dir, "factors");
        var result = FactorStudy.Run(plan, output);

        Assert.Equal(plan.Settings().Count, result.Rows.Count);
        Assert.Equal(["block1", "block2", "block3", "dense", "logits", "confidence"], result.Points);
        foreach (var file in new[] { result.MarkdownPath, result.CsvPath, result.JsonPath, result.ReportPath })
            Assert.True(File.Exists(file), $"{file} missing");
        foreach (var r in result.Rows)
        {
            Assert.NotNull(r.TestAccuracy);
            Assert.Equal(7, r.Mint.Count); // five capture points, the confidence view, all together
            // Beside MINT, on its split: the label-free baseline and the loss attack, each with an interval around it.
            Assert.Equal(["max-confidence", "loss"], r.Baselines.Select(b => b.Name));
            Assert.All(r.Baselines, b => Assert.InRange(b.BalancedAccuracy!.Value, b.Low!.Value, b.High!.Value));
            Assert.All(r.Mint, m => Assert.InRange(m.BalancedAccuracy!.Value, 0, 1));
            Assert.Contains(r.Attack, plan.Attacks);
            Assert.InRange(r.AttackAuc!.Value, 0, 1);
            Assert.Equal(r.Factor == Factors.TimesSeen, r.MintRepeated is not null);
        }

        // The times-seen run records which samples it repeated: 25% of the target's 60 training samples.
        string repeated = TrainStage.RepeatedPath(MiaLab.Core.Runs.RunDirectory.Open(Path.Combine(output, "times-seen-x5")), 0);
        Assert.Equal(15, Npy.Read(repeated).Get<bool>().Count(b => b));
        Assert.False(File.Exists(Path.Combine(output, StudyRunner.BaseRun, "models", "model-0000.repeated.npy")));

        var csv = File.ReadAllLines(result.CsvPath);
        Assert.Equal("Factor,Value,Test acc.,MINT (block1),MINT (block2),MINT (block3),MINT (dense),MINT (logits),MINT (confidence),MINT (all),MINT confidence (95% CI),MINT (repeated),Max-conf. baseline,Loss attack,Strongest attack,AUC,TPR at 1% FPR,Train (s)", csv[0]);
        Assert.Equal(result.Rows.Count + 1, csv.Length);
        using var json = JsonDocument.Parse(File.ReadAllText(result.JsonPath));
        Assert.Equal(result.Rows.Count, json.RootElement.GetProperty("rows").GetArrayLength());
        var first = json.RootElement.GetProperty("rows")[0];
        Assert.Equal("times-seen-x1", first.GetProperty("setting").GetString());
        Assert.Equal(StudyRunner.BaseRun, first.GetProperty("run").GetString());
        Assert.Equal("all", first.GetProperty("measures").GetProperty("mint")[6].GetProperty("point").GetString());
        Assert.Equal(["block1", "block2", "block3", "dense", "logits", "confidence"], json.RootElement.GetProperty("summary").GetProperty("capture_points").EnumerateArray().Select(e => e.GetString()));
        // Each setting's own audit report sits in its run directory.
        Assert.True(File.Exists(Path.Combine(output, StudyRunner.BaseRun, "report", "index.html")));
        string md = File.ReadAllText(result.MarkdownPath);
        Assert.Contains("| Batch size | 64 |", md);
        string html = File.ReadAllText(result.ReportPath);
        Assert.Equal(Factors.All.Count, CountOf(html, "<img src=\"data:image/png;base64,"));
        Assert.DoesNotContain("src=\"http", html);

        // A rerun reuses every model and every measured row.
        var weights = Directory.GetFiles(output, "model-*.npz", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var again = FactorStudy.Run(plan, output);
        foreach (var (file, written) in weights) Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        Assert.Equal(result.Rows.Select(r => (r.Setting, r.MintAll, r.AttackAuc, r.TestAccuracy)),
            again.Rows.Select(r => (r.Setting, r.MintAll, r.AttackAuc, r.TestAccuracy)));
    }

    [Fact]
    public void AnOutputFolderMadeWithAnotherBaseIsRefused()
    {
        var plan = Plan() with { TimesSeen = [1], BatchSizes = [32], Dropout = ["off"], Losses = ["cross-entropy"] };
        string output = Path.Combine(dir, "factors");
        FactorStudy.Run(plan, output);
        var other = ConfigFile.Clone(plan.Base);
        other.Training.Epochs = 3;
        var e = Assert.Throws<MiaLab.Core.InputException>(() => FactorStudy.Run(plan with { Base = other }, output));
        Assert.Contains("another config", e.Message);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}

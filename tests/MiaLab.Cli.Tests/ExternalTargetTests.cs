using System.Text.Json.Nodes;
using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>The user's own model as ONNX: exported from one run, audited as the external target of another.</summary>
public sealed class ExternalTargetTests : CliTest
{
    private const int Population = 300; // TinyYaml: 400 samples, 100 of them holdout

    /// <summary>Trains the tiny run, exports its model 0 and writes model 0's membership as members.npy.</summary>
    private static (string Onnx, string Members, bool[] Keep0) ExportTarget(string work)
    {
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml());
        Cli.AssertSuccess(Cli.Run(work, "audit", "--config", "tiny.yaml", "--run", "runs/own", "--attacks", "loss", "--bootstrap", "0"));
        var exported = Cli.AssertSuccess(Cli.Run(work, "export", "--run", "runs/own", "--model", "0", "--out", "target.onnx"));
        Assert.Contains("Wrote target.onnx: mlp model 0", exported.Stdout);
        var keep = Npy.Read(Path.Combine(work, "runs/own/keep.npy")).Get<bool>();
        var members = keep.Take(Population).ToArray();
        Npy.Write(Path.Combine(work, "members.npy"), new NpyArray(members, Population));
        return (Path.Combine(work, "target.onnx"), Path.Combine(work, "members.npy"), members);
    }

    private static string WithTarget(string work, string target) =>
        TestFiles.Write(work, "external.yaml", TestFiles.TinyYaml() + "target:\n" + target);

    private static double LossAuc(string run) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")))!["targets"]![0]!["attacks"]!["loss"]!["auc"]!.GetValue<double>();

    [Fact]
    public void An_exported_model_audited_as_an_external_target_gives_the_same_target_attack()
    {
        string work = NewWorkDir();
        var (onnx, members, keep0) = ExportTarget(work);
        WithTarget(work, "  onnx: target.onnx\n  members: members.npy\n");
        var r = Cli.AssertSuccess(Cli.Run(work, "audit", "--config", "external.yaml", "--run", "runs/external", "--attacks", "loss,lira-online", "--bootstrap", "0"));
        Assert.Contains("target ", r.Stdout);
        Assert.Contains("(members known) and 3 mlp reference models", r.Stdout);

        string run = Path.Combine(work, "runs/external");
        var keep = Npy.Read(Path.Combine(run, "keep.npy")).Get<bool>();
        Assert.Equal(keep0, keep.Take(Population).ToArray()); // row 0 is the members file
        Assert.All(keep.Skip(Population).Take(100), k => Assert.False(k)); // not the holdout
        var target = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "target.json")))!;
        Assert.Equal(FileHash.Sha256(onnx), target["onnx_sha256"]!.GetValue<string>());
        Assert.Equal(FileHash.Sha256(members), target["members_sha256"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(run, "models/model-0000.npz"))); // never trained here
        Assert.True(File.Exists(Path.Combine(run, "models/model-0001.npz")));
        // The loss attack reads only the target's logits: ONNX Runtime's equal TorchSharp's to 1e-5.
        Assert.Equal(LossAuc(Path.Combine(work, "runs/own")), LossAuc(run), 3);
        Assert.True(File.Exists(Path.Combine(run, "attacks/lira-online/target-0000.npy")));

        // Asked for every point, MINT reads the ONNX model's activations at its capture points (hidden1: 16,
        // logits: 3) plus the confidence view of its outputs (3 sorted logit-scaled values), and shows its baselines beside it.
        var mint = Cli.AssertSuccess(Cli.Run(work, "mint", "train", "--run", "runs/external", "--model", "0", "--points", "all,confidence",
            "--epochs", "2", "--bootstrap", "0"));
        Assert.Equal([Population + 100, 22], Npy.ReadHeader(Path.Combine(run, "activations/model-0000.npy")).Shape);
        Assert.Contains("max-confidence baseline: AUC", mint.Stdout);
        Assert.Contains("loss attack: AUC", mint.Stdout);

        // The same directory with another model in the ONNX file is refused, not mixed.
        Cli.AssertSuccess(Cli.Run(work, "export", "--run", "runs/own", "--model", "1", "--out", "target.onnx"));
        Assert.Contains("was planned with the target", Cli.AssertUserError(Cli.Run(work, "train", "--config", "external.yaml", "--run", "runs/external")));
    }

    [Fact]
    public void Without_members_the_scores_are_summarised_and_roc_metrics_are_said_to_need_membership()
    {
        string work = NewWorkDir();
        ExportTarget(work);
        WithTarget(work, "  onnx: target.onnx\n");
        var r = Cli.AssertSuccess(Cli.Run(work, "audit", "--config", "external.yaml", "--run", "runs/unknown", "--attacks", "loss,rmia-offline", "--bootstrap", "0"));
        Assert.Contains("ROC metrics need membership", r.Stdout);
        Assert.Contains("score distributions", r.Stdout);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "runs/unknown/metrics.json")))!;
        var distributions = metrics["score_distributions"]!.AsArray();
        Assert.Equal(["loss", "rmia-offline"], distributions.Select(d => d!["attack"]!.GetValue<string>()));
        Assert.Equal(Population, distributions[0]!["count"]!.GetValue<int>()); // the loss scores every population sample
        Assert.Empty(metrics["targets"]![0]!["attacks"]!.AsObject());
        Assert.False(File.Exists(Path.Combine(work, "runs/unknown/report/index.html")));
    }

    [Fact]
    public void Bad_target_inputs_are_one_line_and_write_nothing()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml());
        TestFiles.Write(work, "fake.onnx", "not a model");
        Npy.Write(Path.Combine(work, "short.npy"), new NpyArray(new bool[Population - 1], Population - 1));
        Npy.Write(Path.Combine(work, "ints.npy"), new NpyArray(new long[Population], Population));
        Npy.Write(Path.Combine(work, "none.npy"), new NpyArray(new bool[Population], Population));

        void Refused(string target, string expected)
        {
            WithTarget(work, target);
            string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "external.yaml", "--run", "runs/bad"));
            Assert.Contains(expected, line);
            Assert.False(Directory.Exists(Path.Combine(work, "runs/bad")), $"{target} left a run directory");
        }

        Refused("  onnx: fake.onnx\n", "fake.onnx: not an ONNX model");
        // PyTorch's export of an MLP 10-16-3 fits the tiny data (10 features, 3 classes) but has no input "pixels".
        File.Copy(Path.Combine(AppContext.BaseDirectory, "pytorch-mlp.onnx"), Path.Combine(work, "mlp.onnx"));
        Refused("  onnx: mlp.onnx\n  input: pixels\n", "mlp.onnx: has no input 'pixels' (target.input); its inputs are: features");
        Refused("  onnx: missing.onnx\n", "missing.onnx: target.onnx file not found");
        Refused("  onnx: fake.onnx\n  members: short.npy\n", $"short.npy: target.members must have shape ({Population},)");
        Refused("  onnx: fake.onnx\n  members: ints.npy\n", "ints.npy: target.members must have dtype bool, found int64");
        Refused("  onnx: fake.onnx\n  members: none.npy\n", "none.npy: target.members marks no sample as a member");
    }

    [Fact]
    public void A_target_with_another_class_count_than_the_data_is_one_line()
    {
        string work = NewWorkDir();
        File.Copy(Path.Combine(AppContext.BaseDirectory, "pytorch-mlp.onnx"), Path.Combine(work, "mlp.onnx"));
        string five = string.Join("\n", "  source: synthetic", "  holdout: 100", "  synthetic:", "    samples: 400", "    features: 10", "    classes: 5");
        TestFiles.Write(work, "five.yaml", TestFiles.TinyYaml(datasetSection: five) + "target:\n  onnx: mlp.onnx\n");
        string line = Cli.AssertUserError(Cli.Run(work, "train", "--config", "five.yaml", "--run", "runs/five"));
        Assert.EndsWith("mlp.onnx: output 'logits' gives 3 values per sample (shape [?, 3]) but the data has 5 classes", line);
        Assert.False(Directory.Exists(Path.Combine(work, "runs/five")));
    }

    [Fact]
    public void Export_refuses_a_model_that_is_not_there()
    {
        string work = NewWorkDir();
        TestFiles.Write(work, "tiny.yaml", TestFiles.TinyYaml(models: 2, epochs: 1));
        Cli.AssertSuccess(Cli.Run(work, "train", "--config", "tiny.yaml", "--run", "runs/x"));
        Assert.Equal("mialab: --model 5 is outside the run's models 0..1",
            Cli.AssertUserError(Cli.Run(work, "export", "--run", "runs/x", "--model", "5", "--out", "m.onnx")));
        Assert.Contains("the folder", Cli.AssertUserError(Cli.Run(work, "export", "--run", "runs/x", "--model", "0", "--out", "no/such/m.onnx")));
        Assert.False(File.Exists(Path.Combine(work, "m.onnx")));
    }
}

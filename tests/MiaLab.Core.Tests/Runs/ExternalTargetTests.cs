using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Pipeline;
using MiaLab.Core.Runs;
using MiaLab.Core.Tests.IO;

namespace MiaLab.Core.Tests.Runs;

/// <summary>A run whose model 0 is an external ONNX file: recorded, verified, and never mixed.</summary>
public sealed class ExternalTargetTests : IDisposable
{
    private const int Population = 12, M = 3, C = 2;
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RunConfig Config()
    {
        var c = new RunConfig();
        c.Dataset.Source = "synthetic";
        c.Dataset.Synthetic.Samples = Population;
        c.Plan.Models = M;
        c.Target = new TargetConfig { Onnx = "target.onnx" };
        return c;
    }

    private static long[] Labels() => Enumerable.Range(0, Population).Select(i => (long)(i % C)).ToArray();

    private RunDirectory Create(ExternalTarget target, string name = "run")
    {
        var keep = KeepPlan.Create(M, Population, "balanced", 0);
        return RunDirectory.Create(Path.Combine(_dir.Path, name), Config(), new DatasetInfo("synthetic", new string('a', 64), Population, 0, C, [4]),
            Labels(), keep, null, target);
    }

    private string WriteOnnx(string content)
    {
        string path = _dir.File("target.onnx");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void The_plan_records_the_onnx_file_and_model_0_is_trained_when_its_record_names_that_file()
    {
        var target = ExternalTarget.Describe(WriteOnnx("model bytes"), null);
        var run = Create(target);
        Assert.Equal(target, ExternalTarget.Read(run.Paths.Target));
        Assert.Equal(target, RunDirectory.Open(run.Root).Target);
        Assert.False(target.MembersKnown);
        Assert.Equal(target.Onnx, run.Records.WeightsFile(0));
        Assert.Equal(run.Paths.Weights(1), run.Records.WeightsFile(1));

        run.Records.Write(new ModelRecord(0, 0, target.OnnxSha256, double.NaN, double.NaN, 0));
        Assert.Equal(ModelStatus.Trained, run.Records.StatusOf(0));
        File.WriteAllText(target.Onnx, "another model");
        Assert.Equal(ModelStatus.Pending, run.Records.StatusOf(0)); // the file no longer is the one recorded
        Assert.StartsWith($"{target.Onnx}: changed since the run was planned", Assert.Throws<InputException>(target.CheckUnchanged).Message);
    }

    [Fact]
    public void Resuming_with_another_target_model_is_refused()
    {
        var first = ExternalTarget.Describe(WriteOnnx("model A"), null);
        Create(first);
        Assert.Equal(first, Create(first).Target); // the same target resumes
        var other = ExternalTarget.Describe(WriteOnnx("model B"), null);
        var e = Assert.Throws<InputException>(() => Create(other));
        Assert.Contains("was planned with the target", e.Message);
        Assert.Contains("audit a new model in a new --run directory", e.Message);
    }

    [Fact]
    public void The_attack_stage_refuses_a_run_whose_models_are_not_all_complete_and_names_them()
    {
        var target = ExternalTarget.Describe(WriteOnnx("model bytes"), null);
        var run = Create(target);
        run.Records.Write(new ModelRecord(0, 0, target.OnnxSha256, double.NaN, double.NaN, 0));
        var e = Assert.Throws<InputException>(() => AttackStage.Run(run, new AttackPlan([0])));
        Assert.Equal($"{run.Root}: 3 of 3 models are not complete (not trained: 1, 2; trained but not queried: 0); " +
            $"see 'mialab train --run {run.Root} --status', and attack once every model is trained and queried", e.Message);
        var progress = RunCompleteness.Of(run);
        Assert.Equal([ModelStatus.Trained, ModelStatus.Pending, ModelStatus.Pending], progress.Select(p => p.Status));
        Assert.Equal([true, false, false], progress.Select(p => p.External));
    }
}

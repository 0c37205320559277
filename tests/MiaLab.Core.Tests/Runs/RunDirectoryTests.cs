using MiaLab.Core.Pipeline;
using System.Text.Json;
using MiaLab.Core.Config;
using MiaLab.Core.IO;
using MiaLab.Core.Runs;

namespace MiaLab.Core.Tests.Runs;

public sealed class RunDirectoryTests : IDisposable
{
    private const int Population = 20, Holdout = 4, N = Population + Holdout, M = 4, A = 2, C = 3;
    private readonly string _tmp = Directory.CreateTempSubdirectory("mialab-run-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static RunConfig Config(int seed = 0)
    {
        var c = new RunConfig { Seed = seed };
        c.Dataset.Source = "synthetic";
        c.Dataset.Holdout = Holdout;
        c.Dataset.Synthetic.Samples = N;
        c.Plan.Models = M;
        return c;
    }

    private static DatasetInfo Info(string sha = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12") =>
        new("synthetic", sha, Population, Holdout, C, [10]);

    private static long[] Labels() => Enumerable.Range(0, N).Select(i => (long)(i % C)).ToArray();

    private RunDirectory CreateRun(string name = "run", RunConfig? config = null, DatasetInfo? info = null)
    {
        var keep = KeepPlan.WithHoldout(KeepPlan.Create(M, Population, "random-halves", 0), Holdout);
        return RunDirectory.Create(Path.Combine(_tmp, name), config ?? Config(), info ?? Info(), Labels(), keep, KeepPlan.HoldoutMask(Population, Holdout));
    }

    private static void WriteLogits(RunDirectory run, int m, int n = N, int a = A, int c = C, float fill = 0.5f)
    {
        var data = new float[n * a * c];
        for (int i = 0; i < data.Length; i++) data[i] = fill + (i % 7) * 0.1f;
        Npy.Write(run.Paths.Logits(m), new NpyArray(data, n, a, c));
    }

    private static string WriteWeights(RunDirectory run, int m, byte seed)
    {
        AtomicFile.WriteAllBytes(run.Paths.Weights(m), [1, 2, 3, seed]);
        return FileHash.Sha256(run.Paths.Weights(m));
    }

    private static JsonElement Manifest(RunDirectory run) => JsonDocument.Parse(File.ReadAllText(run.Paths.Manifest)).RootElement;

    [Fact]
    public void CreateWritesTheContract()
    {
        var run = CreateRun();
        Assert.Equal(M, run.Models);
        Assert.Equal(N, run.Samples);
        Assert.Equal(Labels(), run.ReadLabels());
        var keep = run.ReadKeep();
        Assert.Equal(M, keep.Length);
        Assert.All(keep, row => Assert.Equal(Population / 2, row.Count(k => k)));
        Assert.Equal(KeepPlan.HoldoutMask(Population, Holdout), run.ReadHoldout());

        var (dtype, shape) = Npy.ReadHeader(Path.Combine(run.Root, "keep.npy"));
        Assert.Equal(DType.Bool, dtype);
        Assert.Equal([M, N], shape);
        Assert.Equal(DType.Int64, Npy.ReadHeader(Path.Combine(run.Root, "labels.npy")).DType);

        var manifest = Manifest(run);
        Assert.Equal(1, manifest.GetProperty("schema_version").GetInt32());
        Assert.False(string.IsNullOrEmpty(manifest.GetProperty("tool_version").GetString()));
        Assert.Equal(ConfigFile.Sha256(Config()), manifest.GetProperty("config_sha256").GetString());
        Assert.Equal(M, manifest.GetProperty("config").GetProperty("plan").GetProperty("models").GetInt32());
        var ds = manifest.GetProperty("dataset");
        Assert.Equal(Info().Sha256, ds.GetProperty("sha256").GetString());
        Assert.Equal(Holdout, ds.GetProperty("holdout").GetInt32());
        Assert.Equal(10, ds.GetProperty("sample_shape")[0].GetInt32());
        Assert.Equal(M, manifest.GetProperty("models").GetArrayLength());
        Assert.All(manifest.GetProperty("models").EnumerateArray(), e => Assert.Equal("pending", e.GetProperty("status").GetString()));

        var opened = RunDirectory.Open(run.Root);
        Assert.Equal(ConfigFile.Sha256(Config()), ConfigFile.Sha256(opened.Config!));
        Assert.Equal(Info().Sha256, opened.Dataset!.Sha256);
        Assert.Equal([10], opened.Dataset.SampleShape);
    }

    [Fact]
    public void CreateAgainWithTheSameConfigResumesUntouched()
    {
        var first = CreateRun();
        string[] files = ["manifest.json", "labels.npy", "keep.npy", "holdout.npy"];
        var stamps = files.ToDictionary(f => f, f => File.GetLastWriteTimeUtc(Path.Combine(first.Root, f)));
        var bytes = files.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(first.Root, f)));
        // Make any rewrite visible even on a coarse clock.
        foreach (var f in files) File.SetLastWriteTimeUtc(Path.Combine(first.Root, f), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var again = CreateRun(config: ConfigFile.Parse(ConfigFile.ToJson(Config()), "copy"));
        Assert.Equal(first.Root, again.Root);
        foreach (var f in files)
        {
            Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Path.Combine(first.Root, f)));
            Assert.Equal(bytes[f], File.ReadAllBytes(Path.Combine(first.Root, f)));
        }
        Assert.NotEmpty(stamps);
    }

    [Fact]
    public void AttackSettingsAreNotPartOfTheRunsIdentity()
    {
        var first = CreateRun();
        var config = Config();
        config.Attacks.References = "all-but-mate";
        config.Attacks.Parameters["rmia"] = new() { ["gamma"] = "1" };
        var again = CreateRun(config: config);
        Assert.Equal(first.Root, again.Root);
        // The directory stores the models' config: its attacks section stays at the defaults.
        Assert.Equal("all-others", RunDirectory.Open(first.Root).Config!.Attacks.References);
        Assert.Empty(RunDirectory.Open(first.Root).Config!.Attacks.Parameters);
        Assert.Equal(ConfigFile.RunSha256(Config()), ConfigFile.RunSha256(config));
        Assert.NotEqual(ConfigFile.Sha256(Config()), ConfigFile.Sha256(config));
    }

    [Fact]
    public void CreateWithAnotherConfigIsRefused()
    {
        CreateRun();
        var e = Assert.Throws<InputException>(() => CreateRun(config: Config(seed: 1)));
        Assert.Contains("was made with another config (config sha256 ", e.Message);
        Assert.Contains("use a new --run directory or the config it was made with", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void CreateWithOtherDataIsRefused()
    {
        CreateRun();
        var e = Assert.Throws<InputException>(() => CreateRun(info: Info(sha: new string('f', 64))));
        Assert.Contains("was made with other data", e.Message);
    }

    [Fact]
    public void NonEmptyFolderWithoutManifestIsRefused()
    {
        string root = Path.Combine(_tmp, "run");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "notes.txt"), "mine");
        var e = Assert.Throws<InputException>(() => CreateRun());
        Assert.Contains("not empty", e.Message);
        Assert.Contains("notes.txt", e.Message);
    }

    [Fact]
    public void AnInterruptedCreateIsRedone()
    {
        string root = Path.Combine(_tmp, "run");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "labels.npy"), "half");
        File.WriteAllText(Path.Combine(root, ".keep.npy.123.abc.tmp"), "half");
        var run = CreateRun();
        Assert.Equal(Labels(), run.ReadLabels());
        Assert.True(File.Exists(run.Paths.Manifest));
    }

    [Fact]
    public void EmptyExistingFolderIsFine()
    {
        Directory.CreateDirectory(Path.Combine(_tmp, "run"));
        Assert.Equal(M, CreateRun().Models);
    }

    [Fact]
    public void IsTrainedChecksTheWeightsHash()
    {
        var run = CreateRun();
        Assert.False(run.Records.IsTrained(0));
        string sha = WriteWeights(run, 0, 9);
        Assert.False(run.Records.IsTrained(0)); // weights without a record: not trained
        run.Records.Write(new ModelRecord(0, 10, sha, 0.9, 0.7, 1.5));
        Assert.True(run.Records.IsTrained(0));
        Assert.False(run.Records.IsQueried(0));
        Assert.Equal(sha, run.Records.Read(0)!.WeightsSha256);

        using (var f = new FileStream(run.Paths.Weights(0), FileMode.Open, FileAccess.Write))
        {
            f.Position = 1;
            f.WriteByte(0xFF);
        }
        Assert.False(run.Records.IsTrained(0));
        Assert.Equal(ModelStatus.Pending, run.Records.StatusOf(0));

        File.Delete(run.Paths.Weights(0));
        Assert.False(run.Records.IsTrained(0));
    }

    [Fact]
    public void IsQueriedChecksTheLogitsHash()
    {
        var run = CreateRun();
        string sha = WriteWeights(run, 1, 1);
        WriteLogits(run, 1);
        string logitsSha = FileHash.Sha256(run.Paths.Logits(1));
        run.Records.Write(new ModelRecord(1, 10, sha, 1, 0.5, 2) with { LogitsSha256 = logitsSha, QuerySeconds = 0.25 });
        Assert.True(run.Records.IsQueried(1));
        WriteLogits(run, 1, fill: 3f);
        Assert.False(run.Records.IsQueried(1));
        Assert.True(run.Records.IsTrained(1));
    }

    [Fact]
    public void ManifestAggregatesModelRecords()
    {
        var run = CreateRun();
        run.Records.Write(new ModelRecord(0, 10, WriteWeights(run, 0, 0), 0.95, 0.80, 3.0));
        // A second process (its own RunDirectory instance) records another model.
        var shard = RunDirectory.Open(run.Root);
        WriteLogits(shard, 2);
        shard.Records.Write(new ModelRecord(2, 10, WriteWeights(shard, 2, 2), 0.99, 0.75, 5.0,
            FileHash.Sha256(shard.Paths.Logits(2)), 0.5));

        var models = Manifest(run).GetProperty("models");
        Assert.Equal("trained", models[0].GetProperty("status").GetString());
        Assert.Equal(0.95, models[0].GetProperty("train_accuracy").GetDouble());
        Assert.Equal(0.80, models[0].GetProperty("test_accuracy").GetDouble());
        Assert.Equal(JsonValueKind.Null, models[0].GetProperty("logits_sha256").ValueKind);
        Assert.Equal("pending", models[1].GetProperty("status").GetString());
        Assert.Equal("queried", models[2].GetProperty("status").GetString());
        Assert.Equal(FileHash.Sha256(run.Paths.Weights(2)), models[2].GetProperty("weights_sha256").GetString());
        Assert.Equal(10, models[2].GetProperty("train_samples").GetInt32());
        var totals = Manifest(run).GetProperty("totals");
        Assert.Equal(8.0, totals.GetProperty("train_seconds").GetDouble());
        Assert.Equal(0.5, totals.GetProperty("query_seconds").GetDouble());

        // The first instance's next refresh keeps the shard's model.
        run.Records.RefreshManifest();
        Assert.Equal("queried", Manifest(run).GetProperty("models")[2].GetProperty("status").GetString());
    }

    [Fact]
    public void ConcurrentShardsNeverLoseEachOthersModels()
    {
        var run = CreateRun();
        var shas = Enumerable.Range(0, M).Select(m => WriteWeights(run, m, (byte)m)).ToArray();
        // Each shard is its own RunDirectory (as in separate processes), all refreshing at once.
        Parallel.For(0, M, new ParallelOptions { MaxDegreeOfParallelism = M }, m =>
            RunDirectory.Open(run.Root).Records.Write(new ModelRecord(m, 10, shas[m], 1, 1, 1)));
        var models = Manifest(run).GetProperty("models");
        Assert.All(models.EnumerateArray(), e => Assert.Equal("trained", e.GetProperty("status").GetString()));
        Assert.Equal(M, Manifest(run).GetProperty("totals").GetProperty("trained").GetInt32());
    }

    [Fact]
    public void ManifestKeepsItsCreationTime()
    {
        var run = CreateRun();
        string created = Manifest(run).GetProperty("created_utc").GetString()!;
        run.Records.Write(new ModelRecord(0, 10, WriteWeights(run, 0, 0), 1, 1, 1));
        Assert.Equal(created, Manifest(run).GetProperty("created_utc").GetString());
    }

    [Fact]
    public void PathsFollowTheLayout()
    {
        var run = CreateRun();
        Assert.Equal(Path.Combine(run.Root, "models", "model-0003.npz"), run.Paths.Weights(3));
        Assert.Equal(Path.Combine(run.Root, "models", "model-0003.json"), run.Paths.ModelRecord(3));
        Assert.Equal(Path.Combine(run.Root, "logits", "model-0001.npy"), run.Paths.Logits(1));
        Assert.Equal(Path.Combine(run.Root, "attacks", "lira", "target-0002.npy"), run.Paths.AttackScores("lira", 2));
        Assert.Equal(Path.Combine(run.Root, "metrics.json"), run.Paths.Metrics);
        Assert.Equal(Path.Combine(run.Root, "report"), run.Paths.ReportDirectory);
        Assert.Throws<InputException>(() => run.Paths.AttackScores("../x", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Paths.Logits(-1));
    }

    [Fact]
    public void LoadOutputsReadsEverything()
    {
        var run = CreateRun();
        for (int m = 0; m < M; m++) WriteLogits(run, m);
        var outputs = RunOutputs.Load(RunDirectory.Open(run.Root)).Outputs;
        Assert.Equal(M, outputs.Models);
        Assert.Equal(N, outputs.Samples);
        Assert.Equal(A, outputs.Augmentations);
        Assert.Equal(C, outputs.Classes);
        Assert.Equal(Holdout, outputs.Holdout.Count(h => h));
        Assert.Equal(run.ReadKeep()[2], outputs.Keep[2]);
        Assert.Equal(0.5f + 0.1f, outputs.LogitsOf(0, 0, 0)[1], 5);
    }

    [Fact]
    public void ForeignRunDirectoryWithoutManifest()
    {
        // What a PyTorch user writes: labels (int32 here), keep, logits [N, C] — no manifest.
        string root = Path.Combine(_tmp, "torch");
        Npy.Write(Path.Combine(root, "labels.npy"), new NpyArray(new[] { 0, 1, 1, 0 }, 4));
        Npy.Write(Path.Combine(root, "keep.npy"), new NpyArray(new[] { true, false, true, false, false, true, false, true }, 2, 4));
        for (int m = 0; m < 2; m++)
            Npy.Write(Path.Combine(root, "logits", $"model-{m:D4}.npy"), new NpyArray(new float[8], 4, 2));
        var run = RunDirectory.Open(root);
        Assert.Null(run.Config);
        Assert.Null(run.Dataset);
        var outputs = RunOutputs.Load(run).Outputs;
        Assert.Equal(1, outputs.Augmentations);
        Assert.Equal(2, outputs.Classes);
        Assert.Equal([0L, 1, 1, 0], outputs.Labels);
        run.Records.RefreshManifest(); // nothing to rebuild
        Assert.False(File.Exists(Path.Combine(root, "manifest.json")));
    }

    [Fact]
    public void OpenNamesTheMissingFile()
    {
        var e = Assert.Throws<InputException>(() => RunDirectory.Open(Path.Combine(_tmp, "nope")));
        Assert.Contains("nope", e.Message);
        var run = CreateRun();
        File.Delete(Path.Combine(run.Root, "keep.npy"));
        e = Assert.Throws<InputException>(() => RunDirectory.Open(run.Root));
        Assert.Contains("keep.npy", e.Message);
    }

    [Fact]
    public void LoadOutputsRejectsSampleCountMismatch()
    {
        var run = CreateRun();
        for (int m = 0; m < M; m++) WriteLogits(run, m);
        Npy.Write(Path.Combine(run.Root, "labels.npy"), new NpyArray(new long[N + 1], N + 1));
        var e = Assert.Throws<InputException>(() => RunOutputs.Load(RunDirectory.Open(run.Root)).Outputs);
        Assert.Contains("keep.npy", e.Message);
        Assert.Contains($"{N}", e.Message);
        Assert.Contains($"{N + 1}", e.Message);
    }

    [Fact]
    public void LoadOutputsRejectsLogitsOfAnotherSampleCount()
    {
        var run = CreateRun();
        for (int m = 0; m < M; m++) WriteLogits(run, m, n: m == 1 ? N - 1 : N);
        var e = Assert.Throws<InputException>(() => RunOutputs.Load(run).Outputs);
        Assert.Contains("model-0001.npy", e.Message);
        Assert.Contains($"has {N - 1} samples but labels.npy has {N}", e.Message);
    }

    [Fact]
    public void LoadOutputsRejectsModelCountMismatch()
    {
        var run = CreateRun();
        for (int m = 0; m < M - 1; m++) WriteLogits(run, m);
        var e = Assert.Throws<InputException>(() => RunOutputs.Load(run).Outputs);
        Assert.Contains("model-0003.npy", e.Message);
        Assert.Contains($"keep.npy has {M} models", e.Message);
        Assert.Contains($"has {M - 1} model files", e.Message);

        WriteLogits(run, M - 1);
        var extra = new float[N * A * C];
        Npy.Write(Path.Combine(run.Paths.LogitsDirectory, $"model-{M:D4}.npy"), new NpyArray(extra, N, A, C));
        e = Assert.Throws<InputException>(() => RunOutputs.Load(run).Outputs);
        Assert.Contains($"has {M + 1} model files but keep.npy has {M} models", e.Message);
    }

    [Fact]
    public void LoadOutputsRejectsNaNLogits()
    {
        var run = CreateRun();
        for (int m = 0; m < M; m++) WriteLogits(run, m);
        var bad = new float[N * A * C];
        bad[5 * A * C + 1 * C + 2] = float.NaN;
        Npy.Write(run.Paths.Logits(2), new NpyArray(bad, N, A, C));
        var e = Assert.Throws<InputException>(() => RunOutputs.Load(run).Outputs);
        Assert.Contains("model-0002.npy: NaN logit at sample 5 (query 1, class 2)", e.Message);
    }

    [Fact]
    public void LoadOutputsRejectsLabelsOutOfRange()
    {
        var run = CreateRun();
        for (int m = 0; m < M; m++) WriteLogits(run, m);
        var labels = Labels();
        labels[7] = C;
        Npy.Write(Path.Combine(run.Root, "labels.npy"), new NpyArray(labels, N));
        // A run another tool wrote (no manifest, so nothing records what labels.npy was).
        File.Delete(run.Paths.Manifest);
        var e = Assert.Throws<InputException>(() => RunOutputs.Load(RunDirectory.Open(run.Root)).Outputs);
        Assert.Contains("labels.npy", e.Message);
        Assert.Contains($"label {C} at sample 7 is outside [0, {C})", e.Message);
    }

    [Fact]
    public void LoadOutputsRejectsInconsistentLogitShapesAndDtypes()
    {
        var run = CreateRun();
        for (int m = 0; m < M; m++) WriteLogits(run, m, c: m == 3 ? C + 1 : C);
        var e = Assert.Throws<InputException>(() => RunOutputs.Load(run).Outputs);
        Assert.Contains($"model-0003.npy: has {C + 1} classes but", e.Message);

        WriteLogits(run, 3, a: 1);
        e = Assert.Throws<InputException>(() => RunOutputs.Load(run).Outputs);
        Assert.Contains("has 1 query augmentations but", e.Message);

        Npy.Write(run.Paths.Logits(3), new NpyArray(new double[N * A * C], N, A, C));
        e = Assert.Throws<InputException>(() => RunOutputs.Load(run).Outputs);
        Assert.Contains("expected dtype float32, found float64", e.Message);
    }

    [Fact]
    public void LoadOutputsRejectsKeptHoldout()
    {
        var run = CreateRun();
        for (int m = 0; m < M; m++) WriteLogits(run, m);
        var keep = run.ReadKeep();
        keep[1][N - 1] = true;
        var flat = keep.SelectMany(r => r).ToArray();
        Npy.Write(run.Paths.Keep, new NpyArray(flat, M, N));
        File.Delete(run.Paths.Manifest);
        var e = Assert.Throws<InputException>(() => RunOutputs.Load(RunDirectory.Open(run.Root)).Outputs);
        Assert.Contains($"model 1 trains on sample {N - 1}", e.Message);
    }

    [Theory]
    [InlineData("keep.npy")]
    [InlineData("labels.npy")]
    [InlineData("holdout.npy")]
    public void APlanFileChangedAfterPlanningIsRefusedByEveryReader(string file)
    {
        var run = CreateRun();
        // Same shape and dtype, one value flipped: only the recorded SHA-256 can tell.
        string path = Path.Combine(run.Root, file);
        var a = Npy.Read(path);
        NpyArray changed = a.Data switch
        {
            bool[] b => new NpyArray(b.Select((v, i) => i == 3 ? !v : v).ToArray(), a.Shape),
            long[] l => new NpyArray(l.Select((v, i) => i == 3 ? (v + 1) % C : v).ToArray(), a.Shape),
            _ => throw new InvalidOperationException(),
        };
        Npy.Write(path, changed);
        var reopened = RunDirectory.Open(run.Root);
        var e = Assert.Throws<InputException>(() => file switch
        {
            "keep.npy" => (object)reopened.ReadKeep(),
            "labels.npy" => reopened.ReadLabels(),
            _ => reopened.ReadHoldout()!,
        });
        Assert.Contains($"{file}: changed since the run was planned", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BrokenModelRecordIsAnInputError()
    {
        var run = CreateRun();
        Directory.CreateDirectory(run.Paths.ModelsDirectory);
        File.WriteAllText(run.Paths.ModelRecord(0), "{ not json");
        var e = Assert.Throws<InputException>(() => run.Records.Read(0));
        Assert.Contains("model-0000.json", e.Message);
        run.Records.RefreshManifest(); // a broken record counts as pending
        Assert.Equal("pending", Manifest(run).GetProperty("models")[0].GetProperty("status").GetString());
    }
}

using MiaLab.Core.Randomness;
using System.Diagnostics;
using MiaLab.Core.Attacks;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Runs;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Benchmarks;

public sealed record AttackBenchmarkRow(string Case, int Candidates, int Population, double Seconds, double AllocatedMegabytes, double PeakWorkingSetMegabytes);

/// <summary>
/// Times LiRA and RMIA scoring on synthetic outputs of the size of a real audit (N candidates
/// plus a holdout population of Z, M models, A queries, C classes), next to the brute-force
/// pairwise RMIA on a smaller population, to show how the sorted count scales.
/// </summary>
public static class AttackBenchmark
{
    // Fixed settings, not the registry's defaults: the rows time the scoring algorithms (offline
    // RMIA at a fixed a, so a = auto's grid search does not multiply the row).
    private static readonly RmiaOptions Online = new(Online: true, Gamma: 2, OfflineA: null, Temperature: 1, TrimmedMean: false);
    private static readonly RmiaOptions Offline = new(Online: false, Gamma: 2, OfflineA: 0.3, Temperature: 1, TrimmedMean: false);
    private static readonly LiraOptions LiraPerSample = new(LiraVariance.PerSample, TwoSidedOffline: false, SignalKind.StableLogit);

    public static IReadOnlyList<AttackBenchmarkRow> Run(int n = 50_000, int z = 50_000, int models = 16, int augmentations = 2,
        int classes = 10, int bruteForceSize = 5_000, Action<string>? log = null)
    {
        var rows = new List<AttackBenchmarkRow>();
        var small = Synthetic(bruteForceSize, bruteForceSize, models, augmentations, classes);
        var large = Synthetic(n, z, models, augmentations, classes);
        var refs = Enumerable.Range(1, models - 1).ToArray();
        void Measure(string name, ModelOutputs o, int candidates, int population, Action body)
        {
            GC.Collect();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            body();
            double seconds = clock.Elapsed.TotalSeconds;
            double allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / 1e6;
            double peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
            rows.Add(new AttackBenchmarkRow(name, candidates, population, seconds, allocated, peak));
            log?.Invoke($"{name}: N = {candidates}, Z = {population}: {seconds:0.000} s, {allocated:0} MB allocated");
        }
        Measure("rmia-online brute force (pairwise)", small, bruteForceSize, bruteForceSize, () => Rmia.BruteForceScores(small, 0, refs, Online));
        Measure("rmia-online sorted", small, bruteForceSize, bruteForceSize, () => Rmia.Run(small, 0, refs, Online));
        Measure("rmia-online sorted", large, n, z, () => Rmia.Run(large, 0, refs, Online));
        Measure("rmia-offline sorted", large, n, z, () => Rmia.Run(large, 0, refs, Offline));
        Measure("lira-online", large, n, z, () => Lira.Online(large, 0, refs, LiraPerSample));
        Measure("lira-offline", large, n, z, () => Lira.Offline(large, 0, refs, LiraPerSample));

        // The evaluation's 1,000 stratified resamples of one target's 20,000 candidates, and of ten
        // targets pooled, on one core and on every core (the numbers are the same either way).
        foreach (int size in new[] { 20_000, 200_000 })
        {
            var (scores, members) = BootstrapInput(size);
            string what = size == 20_000 ? "one target" : "10 targets pooled";
            Measure($"bootstrap 1,000 resamples, {what}, 1 core", large, size, 0, () => Bootstrap.Run(scores, members, Evaluator.Alphas, 1000, 0, cores: 1));
            Measure($"bootstrap 1,000 resamples, {what}, {Environment.ProcessorCount} cores", large, size, 0, () => Bootstrap.Run(scores, members, Evaluator.Alphas, 1000, 0));
        }
        return rows;
    }

    /// <summary>Half members, scores a little higher for members, with ties as real scores have.</summary>
    private static (double[] Scores, bool[] Members) BootstrapInput(int size)
    {
        var random = new StableRandom(5);
        var members = new bool[size];
        var scores = new double[size];
        for (int i = 0; i < size; i++)
        {
            members[i] = i % 2 == 0;
            scores[i] = Math.Round((random.NextGaussian() + (members[i] ? 0.2 : 0)) * 1000) / 1000;
        }
        return (scores, members);
    }

    /// <summary>Random logits whose true-class logit is raised for the samples each model trained
    /// on; the last Z samples are a holdout population no model trained on.</summary>
    public static ModelOutputs Synthetic(int n, int z, int models, int augmentations, int classes, int seed = 0)
    {
        int total = n + z;
        var random = new StableRandom((ulong)seed);
        var labels = new long[total];
        for (int i = 0; i < total; i++) labels[i] = random.Next(classes);
        var keep = KeepPlan.WithHoldout(KeepPlan.Create(models, n, KeepPlan.RandomHalves, seed), z);
        var logits = new float[models][];
        for (int m = 0; m < models; m++)
        {
            logits[m] = new float[(long)total * augmentations * classes];
            for (int i = 0; i < total; i++)
                for (int a = 0; a < augmentations; a++)
                {
                    int row = (i * augmentations + a) * classes;
                    for (int c = 0; c < classes; c++) logits[m][row + c] = (float)(random.NextDouble() * 2 - 1);
                    logits[m][row + labels[i]] += keep[m][i] ? 3f : 2f;
                }
        }
        return new ModelOutputs(logits, labels, keep, augmentations, classes, KeepPlan.HoldoutMask(n, z));
    }
}

using MiaLab.Core.Randomness;
using System.Text.Json.Nodes;
using MiaLab.Core.IO;

namespace MiaLab.Cli.Tests;

/// <summary>Configs and run-directory files the tests write into their temporary folders.</summary>
public static class TestFiles
{
    /// <summary>
    /// A config in the spirit of examples/synthetic-tiny.yaml, sized to train in seconds.
    /// <paramref name="datasetSection"/> replaces the whole synthetic dataset section when given
    /// (indented lines under "dataset:").
    /// </summary>
    public static string TinyYaml(int models = 4, int epochs = 5, int samples = 400, int holdout = 100,
        int modelsPerPass = 4, int seed = 0, string? datasetSection = null)
    {
        string dataset = datasetSection ?? string.Join("\n",
            "  source: synthetic",
            $"  holdout: {holdout}",
            "  synthetic:",
            $"    samples: {samples}",
            "    features: 10",
            "    classes: 3");
        return string.Join("\n",
            "# Written by MiaLab.Cli.Tests: a synthetic run that trains in seconds.",
            $"seed: {seed}",
            "dataset:",
            dataset,
            "plan:",
            $"  models: {models}",
            "  scheme: random-halves",
            "model:",
            "  kind: mlp",
            "  hidden: [16]",
            "training:",
            $"  epochs: {epochs}",
            "  batch_size: 32",
            $"  models_per_pass: {modelsPerPass}",
            "query:",
            "  augmentations: [identity]",
            "");
    }

    /// <summary>Writes text to dir/name and returns the full path.</summary>
    public static string Write(string dir, string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static string ModelName(int m) => $"model-{m:D4}";

    /// <summary>
    /// A run directory as another tool (e.g. a PyTorch script) would write it: labels.npy int64
    /// [N], keep.npy bool [M, N] (random halves) and logits/model-XXXX.npy float32 [N, 1, C],
    /// where each model gives its own training samples a higher true-class logit. Seeded.
    /// </summary>
    public static (long[] Labels, bool[] Keep) WriteForeignRun(string root, int models = 8, int samples = 400, int classes = 3,
        int seed = 7, bool threeDimensional = true, double memberBoost = 1.5)
    {
        var rng = new StableRandom((ulong)seed);
        Directory.CreateDirectory(Path.Combine(root, "logits"));
        var labels = new long[samples];
        for (int i = 0; i < samples; i++) labels[i] = rng.Next(classes);
        var keep = new bool[models * samples];
        for (int m = 0; m < models; m++)
        {
            // Exactly half of the samples, chosen by a seeded shuffle.
            int[] order = rng.Permutation(samples);
            for (int k = 0; k < samples / 2; k++) keep[m * samples + order[k]] = true;
        }
        // A per-sample difficulty shared by every model, so reference models carry information.
        var difficulty = new double[samples];
        for (int i = 0; i < samples; i++) difficulty[i] = Gaussian(rng);

        Npy.Write(Path.Combine(root, "labels.npy"), new NpyArray(labels, samples));
        Npy.Write(Path.Combine(root, "keep.npy"), new NpyArray(keep, models, samples));
        for (int m = 0; m < models; m++)
        {
            var logits = new float[samples * classes];
            for (int i = 0; i < samples; i++)
                for (int c = 0; c < classes; c++)
                {
                    double v = 0.5 * Gaussian(rng);
                    if (c == labels[i])
                        v += 1.0 + difficulty[i] + (keep[m * samples + i] ? memberBoost : 0.0);
                    logits[i * classes + c] = (float)v;
                }
            var array = threeDimensional ? new NpyArray(logits, samples, 1, classes) : new NpyArray(logits, samples, classes);
            Npy.Write(Path.Combine(root, "logits", ModelName(m) + ".npy"), array);
        }
        return (labels, keep);
    }

    private static double Gaussian(StableRandom rng) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2.0 * Math.PI * rng.NextDouble());

    /// <summary>Bytes of every file under dir (relative path → bytes), for before/after comparisons.</summary>
    public static SortedDictionary<string, byte[]> Snapshot(string dir)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            files[Path.GetRelativePath(dir, f)] = File.ReadAllBytes(f);
        return files;
    }

    /// <summary>The status of every model in manifest.json.</summary>
    public static string[] ManifestStatuses(string runDir)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "manifest.json")))!;
        return manifest["models"]!.AsArray().Select(m => m!["status"]!.GetValue<string>()).ToArray();
    }
}

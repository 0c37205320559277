using MiaLab.Core.Signals;
using MiaLab.Core.Randomness;

namespace MiaLab.Core.Attacks.Shadow;

/// <summary>Shadow-model attack settings.</summary>
/// <param name="Classifier">"logistic" or "mlp".</param>
/// <param name="PerClass">One classifier per class (the global one for a class with too few rows).</param>
/// <param name="TopK">Keep the k largest probabilities; 0 (or ≥ C) keeps all C.</param>
/// <param name="MaxTrainRows">Cap on the training rows of each classifier (half IN, half OUT).</param>
/// <param name="Seed">Drives the subsampling and the MLP's initialisation and shuffling.</param>
public sealed record ShadowOptions(string Classifier = "logistic", bool PerClass = false, int TopK = 0, int MaxTrainRows = 20000, int Seed = 0);

/// <summary>
/// Shokri et al.'s shadow-model attack (ALGORITHMS.md §3). Each (model, sample) becomes a
/// feature row: the softmax of the identity query sorted descending (top-k), then the one-hot
/// label. A classifier learns IN vs OUT on the shadow models' rows (population samples only,
/// balanced by subsampling) and scores the target's rows with P(member).
/// </summary>
public static class ShadowAttack
{
    /// <summary>A per-class classifier needs at least this many IN rows and as many OUT rows;
    /// a class with fewer is scored by the global classifier.</summary>
    public const int MinRowsPerSidePerClass = 10;

    public static AttackResult Run(ModelOutputs outputs, int target, IReadOnlyList<int> shadows, ShadowOptions options) =>
        Run(outputs, target, ReferenceSet.All(shadows), options);

    /// <summary>As above; a shadow model contributes only the samples it serves as a reference for.</summary>
    public static AttackResult Run(ModelOutputs outputs, int target, ReferenceSet references, ShadowOptions options)
    {
        var shadows = references.Models;
        Validate(outputs, target, shadows, options);
        int classes = outputs.Classes;
        int k = options.TopK == 0 || options.TopK >= classes ? classes : options.TopK;
        int dim = k + classes;
        int perSide = options.MaxTrainRows / 2;

        // Candidate rows: every (shadow, population sample), split by membership.
        var inRows = new List<(int Model, int Sample)>();
        var outRows = new List<(int Model, int Sample)>();
        for (int r = 0; r < shadows.Count; r++)
            for (int i = 0; i < outputs.Samples; i++)
                if (!outputs.Holdout[i] && references.Serves(r, i)) (outputs.Keep[shadows[r]][i] ? inRows : outRows).Add((shadows[r], i));
        if (inRows.Count == 0) throw new InputException("shadow attack: the shadow models have no IN (training) samples");
        if (outRows.Count == 0) throw new InputException("shadow attack: the shadow models have no OUT (non-training) samples");

        IBinaryClassifier? global = null;
        int globalRows = 0;
        IBinaryClassifier Global()
        {
            if (global is null)
            {
                var (x, y) = Balanced(outputs, inRows, outRows, perSide, k, dim, StableRandom.For(options.Seed, "shadow-rows", 0));
                globalRows = y.Length;
                global = Train(options.Classifier, x, dim, y, StableRandom.For(options.Seed, "shadow-classifier", 0));
            }
            return global;
        }

        var perClass = new IBinaryClassifier[classes];
        int fallbacks = 0;
        if (options.PerClass)
        {
            var inByClass = ByClass(outputs, inRows);
            var outByClass = ByClass(outputs, outRows);
            for (int c = 0; c < classes; c++)
            {
                var inC = inByClass[c];
                var outC = outByClass[c];
                if (Math.Min(inC.Count, outC.Count) < MinRowsPerSidePerClass)
                {
                    perClass[c] = Global();
                    fallbacks++;
                    continue;
                }
                var (x, y) = Balanced(outputs, inC, outC, perSide, k, dim, StableRandom.For(options.Seed, "shadow-rows", c + 1));
                perClass[c] = Train(options.Classifier, x, dim, y, StableRandom.For(options.Seed, "shadow-classifier", c + 1));
            }
        }
        else
        {
            Array.Fill(perClass, Global());
        }

        var scores = new double[outputs.Samples];
        var unscored = new List<int>();
        var row = new double[dim];
        for (int i = 0; i < outputs.Samples; i++)
        {
            if (outputs.Holdout[i])
            {
                scores[i] = double.NaN;
                unscored.Add(i);
                continue;
            }
            Features(outputs, target, i, k, row);
            scores[i] = perClass[outputs.Labels[i]].PredictProbability(row);
        }

        string name = "shadow-" + options.Classifier + (options.PerClass ? "-per-class" : "");
        var extras = new Dictionary<string, double>
        {
            ["features"] = dim,
            ["shadow_models"] = shadows.Count,
        };
        if (global is not null) extras["global_train_rows"] = globalRows;
        if (options.PerClass) extras["fallback_classes"] = fallbacks;
        return new AttackResult(name, scores, unscored.ToArray(), extras);
    }

    /// <summary>The feature row of model m on sample i: sorted softmax (top k) of the identity
    /// query, then the one-hot label. <paramref name="row"/> has k + C entries.</summary>
    public static void Features(ModelOutputs outputs, int model, int sample, int k, Span<double> row)
    {
        int classes = outputs.Classes;
        var logits = outputs.LogitsOf(model, sample, 0);
        Span<double> p = classes <= 1024 ? stackalloc double[classes] : new double[classes];
        Signal.Softmax(logits, p);
        p.Sort();
        for (int j = 0; j < k; j++) row[j] = p[classes - 1 - j];
        row.Slice(k, classes).Clear();
        row[k + (int)outputs.Labels[sample]] = 1.0;
    }

    private static (double[] X, bool[] Y) Balanced(ModelOutputs outputs, List<(int Model, int Sample)> inRows,
        List<(int Model, int Sample)> outRows, int perSide, int k, int dim, StableRandom rng)
    {
        int take = Math.Min(perSide, Math.Min(inRows.Count, outRows.Count));
        var x = new double[2 * take * dim];
        var y = new bool[2 * take];
        int r = 0;
        foreach (var (rows, member) in new[] { (inRows, true), (outRows, false) })
        {
            // Partial Fisher–Yates: a uniform subset of size take, in seeded order.
            var idx = Enumerable.Range(0, rows.Count).ToArray();
            for (int t = 0; t < take; t++)
            {
                int j = t + rng.Next(idx.Length - t);
                (idx[t], idx[j]) = (idx[j], idx[t]);
                var (m, i) = rows[idx[t]];
                Features(outputs, m, i, k, x.AsSpan(r * dim, dim));
                y[r++] = member;
            }
        }
        return (x, y);
    }

    private static List<(int Model, int Sample)>[] ByClass(ModelOutputs outputs, List<(int Model, int Sample)> rows)
    {
        var result = new List<(int Model, int Sample)>[outputs.Classes];
        for (int c = 0; c < result.Length; c++) result[c] = [];
        foreach (var row in rows) result[outputs.Labels[row.Sample]].Add(row);
        return result;
    }

    private static IBinaryClassifier Train(string classifier, double[] x, int dim, bool[] y, StableRandom random) =>
        classifier == "mlp" ? Mlp.Fit(x, dim, y, random) : LogisticRegression.Fit(x, dim, y);

    private static void Validate(ModelOutputs outputs, int target, IReadOnlyList<int> shadows, ShadowOptions options)
    {
        if (options.Classifier is not ("logistic" or "mlp"))
            throw new InputException($"shadow attack: classifier must be 'logistic' or 'mlp', got '{options.Classifier}'");
        if (options.TopK < 0) throw new InputException($"shadow attack: top_k must be ≥ 0, got {options.TopK}");
        if (options.MaxTrainRows < 2) throw new InputException($"shadow attack: max_train_rows must be ≥ 2, got {options.MaxTrainRows}");
        if (target < 0 || target >= outputs.Models)
            throw new InputException($"shadow attack: target model {target} is out of range [0, {outputs.Models})");
        if (shadows.Count == 0) throw new InputException("shadow attack: needs at least one shadow model");
        foreach (int s in shadows)
        {
            if (s < 0 || s >= outputs.Models)
                throw new InputException($"shadow attack: shadow model {s} is out of range [0, {outputs.Models})");
            if (s == target) throw new InputException($"shadow attack: model {s} cannot be both the target and a shadow");
        }
        if (shadows.Distinct().Count() != shadows.Count) throw new InputException("shadow attack: a shadow model is listed twice");
        foreach (long l in outputs.Labels)
            if (l < 0 || l >= outputs.Classes)
                throw new InputException($"shadow attack: label {l} is outside [0, {outputs.Classes})");
    }
}

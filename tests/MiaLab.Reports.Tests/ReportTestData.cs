using MiaLab.Core.Randomness;
using MiaLab.Core.Evaluation;

namespace MiaLab.Reports.Tests;

/// <summary>Synthetic report inputs with fixed seeds: Gaussian member and non-member scores, metrics from
/// the real evaluator.</summary>
internal static class ReportTestData
{
    public static readonly string[] CifarClasses =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    public const string ScriptName = "<script>alert('x')</script>";

    /// <summary>An attack whose member scores are shifted by <paramref name="shift"/> standard deviations;
    /// a fraction <paramref name="outliers"/> of members gets far-out scores (the memorised records a
    /// strong attack catches at low FPR).</summary>
    public static AttackReport Attack(string name, double shift, int seed, int members = 2000, int nonMembers = 2000,
        double outliers = 0.0, int classes = 10, int bootstrap = 100, int unscored = 0)
    {
        var rng = new StableRandom((ulong)seed);
        int n = members + nonMembers;
        var scores = new double[n];
        var isMember = new bool[n];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            bool member = i < members;
            isMember[i] = member;
            labels[i] = i % classes;
            // Leakage grows with the class index, so the per-class plot has a shape.
            double classShift = member ? shift * (0.5 + (double)(i % classes) / classes) : 0.0;
            scores[i] = Normal(rng) + classShift;
            if (member && rng.NextDouble() < outliers)
            {
                scores[i] = 6.0 + rng.NextDouble();
            }
            if (i % members < unscored)
            {
                scores[i] = double.NaN;
            }
        }
        AttackMetrics metrics = Evaluator.Evaluate(scores, isMember, labels,
            new EvaluationOptions(BootstrapResamples: bootstrap, Seed: seed));
        RocCurve roc = Roc.Compute(scores.Where(double.IsFinite).ToArray(), isMember.Where((_, i) => double.IsFinite(scores[i])).ToArray());
        double[] memberScores = scores.Where((v, i) => isMember[i] && double.IsFinite(v)).ToArray();
        double[] nonMemberScores = scores.Where((v, i) => !isMember[i] && double.IsFinite(v)).ToArray();
        return new AttackReport(name, $"Synthetic attack, members shifted by {shift} SD.", metrics, roc, memberScores, nonMemberScores);
    }

    public static ReportInput Input(IReadOnlyList<AttackReport> attacks, bool images = true, int exposed = 12)
    {
        int[] shape = [3, 16, 16];
        var samples = new List<ExposedSample>();
        for (int k = 0; k < exposed; k++)
        {
            float[] pixels = images ? Pattern(shape[0], shape[1], shape[2], k) : Enumerable.Range(0, 20).Select(j => (float)(j * 0.05 + k * 0.01)).ToArray();
            samples.Add(new ExposedSample(1000 + k, k % 10, 9.5 - 0.25 * k, attacks.Count > 0 ? attacks[0].Name : "none", pixels));
        }
        return new ReportInput(
            Title: "CIFAR-10 ResNet audit",
            CreatedUtc: new DateTime(2025, 3, 14, 9, 26, 53, DateTimeKind.Utc),
            RunDirectory: "/runs/cifar10-resnet",
            Target: new TargetSummary(0, 0.998, 0.861, 2000, 2000, "ResNet-18, 100 epochs, SGD", "CIFAR-10"),
            Attacks: attacks,
            MostExposed: samples,
            ImageShape: images ? shape : null,
            ClassNames: CifarClasses,
            Settings:
            [
                ("seed", "42"),
                ("models", "16"),
                ("attack.lira.queries", "identity, hflip"),
                ("note", "<b>bold & \"quoted\"</b>"),
            ]);
    }

    /// <summary>The standard three-attack input: strong, medium and chance-level (named with a script tag).</summary>
    public static ReportInput Standard(bool images = true) => Input(
    [
        Attack("rmia", 0.8, seed: 11),
        Attack("lira-online", 2.0, seed: 7, outliers: 0.12),
        Attack(ScriptName, 0.0, seed: 13),
    ], images);

    /// <summary>The attack names of the built-in audit, in its order.</summary>
    public static readonly string[] AuditAttacks =
    [
        "loss", "confidence", "entropy", "modified-entropy", "label-only-gap", "label-only-augmentation",
        "shadow-logistic", "shadow-mlp", "lira-offline", "lira-online", "lira-offline-fixed-var", "lira-online-fixed-var",
        "rmia-offline", "rmia-online",
    ];

    /// <summary>The built-in audit's 14 attacks at its size (10,000 members and non-members, so every
    /// FPR level down to 0.01% is estimable and each TPR cell has all its lines), some with unscored
    /// samples: the widest attacks table the report draws.</summary>
    public static ReportInput Audit(int bootstrap = 30) => Input(
        AuditAttacks.Select((name, i) => Attack(name, 0.1 + 0.06 * i, seed: 200 + i, members: 10_000, nonMembers: 10_000,
            outliers: 0.002 * i, bootstrap: bootstrap, unscored: i % 4 == 1 ? 1_234 : 0)).ToList()) with
    {
        Target = new TargetSummary(0, 0.969, 0.869, 10_000, 10_000, "mlp (hidden [512, 256], relu), 40 epochs of sgd", "fashion-mnist-train"),
    };

    /// <summary>A colourful C×H×W pattern in [0, 1], different per <paramref name="k"/>.</summary>
    public static float[] Pattern(int c, int h, int w, int k)
    {
        var p = new float[c * h * w];
        for (int ch = 0; ch < c; ch++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    double v = 0.5 + 0.5 * Math.Sin((x * (ch + 1) + y * (k % 4 + 1)) * 0.4 + k);
                    p[(ch * h + y) * w + x] = (float)v;
                }
            }
        }
        return p;
    }

    public static string TempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mialab-report-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static double Normal(StableRandom rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

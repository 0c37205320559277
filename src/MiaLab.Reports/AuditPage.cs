using System.Globalization;
using MiaLab.Core.Evaluation;
using MiaLab.Core.Mint;
using MiaLab.Reports.Pages;

namespace MiaLab.Reports;

/// <summary>The audit report as an <see cref="HtmlPage"/>: the header with the target's facts, what the
/// numbers mean, the attacks table, the ROC and score figures, MINT, the most exposed samples, per-class
/// leakage, the settings and the definitions. Text only: the page renderer escapes every string.</summary>
internal static class AuditPage
{
    /// <summary>An encoded PNG and its logical (CSS) width.</summary>
    internal sealed record Figure(byte[] Png, int Width);

    /// <summary>The figures the page embeds and the colour of each attack in them.</summary>
    internal sealed record Figures(Figure Roc, int RocAttacks, Figure RocFamilies, Figure Histograms, Figure? PerClass,
        AttackReport? PerClassAttack, IReadOnlyDictionary<AttackReport, ScottPlot.Color> Colors);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static HtmlPage Build(ReportInput input, IReadOnlyList<AttackReport> ranked, Figures figures)
    {
        TargetSummary t = input.Target;
        var sections = new List<PageSection>
        {
            new("What this means", [new PageParagraph(string.Join(" ", ReportReading.Compose(input)))], "reading") { Highlight = true },
            Attacks(ranked, figures.Colors),
        };
        if (input.Privacy is { } privacy) sections.Add(Privacy(privacy));
        sections.AddRange(
        [
            Roc(figures),
            Histograms(figures.Histograms),
        ]);
        if (input.Mint is { Count: > 0 } mint)
        {
            sections.Add(Mint(mint));
        }
        if (input.Translation is { } gallery)
        {
            sections.Add(Translation(gallery));
        }
        else
        {
            sections.Add(Exposed(input));
        }
        sections.Add(PerClass(input, figures));
        sections.Add(Settings(input));
        sections.Add(new PageSection("Definitions", [new PageTerms(Definitions(LevelOf(ranked)))], "definitions"));
        return new HtmlPage(input.Title)
        {
            Kicker = "Membership inference audit",
            Facts =
            [
                new("Dataset", t.DatasetName),
                new("Model", t.ModelDescription),
                new("Target model", "#" + t.Index.ToString(Inv)),
                new("Members / non-members", $"{ReportFormat.Count(t.Members)} / {ReportFormat.Count(t.NonMembers)}"),
                .. (input.Translation is { } g
                    ? new PageFact[] { new("Member L1", ReportFormat.Score(g.MemberL1)), new("Held-out L1", ReportFormat.Score(g.HeldOutL1)) }
                    : [new("Train accuracy", ReportFormat.Percent(t.TrainAccuracy)), new("Test accuracy", ReportFormat.Percent(t.TestAccuracy))]),
                new("Attacks", ranked.Count.ToString(Inv)),
                new("Created", input.CreatedUtc.ToString("yyyy-MM-dd HH:mm", Inv) + " UTC"),
            ],
            Location = new PageLocation("Run directory", input.RunDirectory),
            Sections = sections,
            GeneratedUtc = input.CreatedUtc,
        };
    }

    /// <summary>DP-SGD's guarantee beside each attack's empirical ε lower bound.</summary>
    private static PageSection Privacy(PrivacyBeside p)
    {
        var rows = p.Attacks.Select(a => new TableRow([a.Attack, a.EmpiricalEpsilon.ToString("0.00", Inv)])).ToList();
        rows.Insert(0, new TableRow([$"accountant ({p.Accountant}, δ = {p.Delta.ToString("G3", Inv)})",
            double.IsFinite(p.AccountantEpsilon) ? p.AccountantEpsilon.ToString("0.00", Inv) : "∞ (no noise)"]));
        return new PageSection("Privacy guarantee and what the attacks measured",
        [
            new PageParagraph(p.Reading),
            new PageTable([new("Source"), new("ε") { Numeric = true }], rows) { RowHeaders = true },
            new PageParagraph("The accountant's ε is an upper bound for any attacker; each attack's ε is a 95% lower bound from one " +
                "threshold chosen on half of the target's population and counted on the other half (Clopper–Pearson).", Note: true),
        ], "privacy");
    }

    /// <summary>The columns of the attacks table: eight, so it fits a laptop screen. Balanced accuracy
    /// and advantage share one (advantage = 2 × balanced accuracy − 1 at the best threshold).</summary>
    internal static IReadOnlyList<TableColumn> AttackColumns(double level) =>
    [
        new("Attack", "family"),
        new("AUC", $"{ReportFormat.Confidence(level)} CI") { Numeric = true },
        new("Bal. acc.", "advantage") { Numeric = true },
        .. AttackRanking.Levels.Select(level => new TableColumn($"TPR at {ReportFormat.Level(level)} FPR") { Numeric = true }),
        new("Scored", "in / out") { Numeric = true },
    ];

    private static PageSection Attacks(IReadOnlyList<AttackReport> ranked, IReadOnlyDictionary<AttackReport, ScottPlot.Color> colors)
    {
        var rows = ranked.Select(a =>
        {
            AttackMetrics m = a.Metrics;
            var cells = new List<TableCell>
            {
                new(a.Name) { Swatch = colors[a].ToHex(), Details = [AttackFamilies.Title(AttackFamilies.Of(a))] },
                Auc(m),
                new(ReportFormat.Ratio(m.BalancedAccuracy)) { Details = ["adv. " + ReportFormat.Ratio(m.Advantage)] },
            };
            cells.AddRange(AttackRanking.Levels.Select(level => TprCell(AttackRanking.Find(m, level), level, m.NonMembers)));
            cells.Add(new TableCell($"{ReportFormat.Count(m.Members)} / {ReportFormat.Count(m.NonMembers)}")
            {
                Warning = m.Unscored > 0 ? $"{ReportFormat.Count(m.Unscored)} unscored" : null,
            });
            return new TableRow(cells, a.Name);
        }).ToList();
        var blocks = new List<PageBlock>
        {
            new PageParagraph("Strongest first: ordered by TPR at 0.1% FPR, then at 1% and 10% (a level that is not estimable counts last), then AUC. Under each TPR: the FPR the threshold " +
                $"actually achieves, the exact {ReportFormat.Confidence(LevelOf(ranked))} Clopper–Pearson interval and, when computed, the bootstrap interval. " +
                "n/e marks a level that is not estimable (fewer than 1/α non-members; hover for details).", Note: true),
            new PageTable(AttackColumns(LevelOf(ranked)), rows) { Id = "attacks-table", EmptyText = "No attack results." },
        };
        if (ranked.Count > 0)
        {
            blocks.Add(new PageTerms(ranked.Select(a => new PageTerm(a.Name, a.Description)).ToList()));
        }
        return new PageSection("Attacks", blocks, "attacks");
    }

    private static TableCell Auc(AttackMetrics m) => new(ReportFormat.Ratio(m.Auc))
    {
        Details = m.AucCi is { } ci ? [$"[{ReportFormat.Ratio(ci.Low)}, {ReportFormat.Ratio(ci.High)}]"] : [],
    };

    private static TableCell TprCell(TprAtFpr? t, double level, int nonMembers)
    {
        if (t is null)
        {
            return new TableCell("—") { Tooltip = "Not computed for this attack." };
        }
        if (!t.Estimable)
        {
            double needed = Math.Ceiling(1.0 / level - 1e-9);
            return new TableCell("n/e")
            {
                Tooltip = $"Not estimable: {ReportFormat.Count(nonMembers)} non-members, but {ReportFormat.Level(level)} FPR needs at least "
                    + $"{needed.ToString("#,0", Inv)} (1/α). The only admissible point is FPR = 0, where TPR = {ReportFormat.Percent(t.Tpr)}.",
            };
        }
        var details = new List<string>
        {
            "at FPR " + ReportFormat.Percent(t.AchievedFpr),
            $"CI {ReportFormat.Percent(t.Ci.Low)}–{ReportFormat.Percent(t.Ci.High)}",
        };
        if (t.BootstrapCi is { } b)
        {
            details.Add($"boot {ReportFormat.Percent(b.Low)}–{ReportFormat.Percent(b.High)}");
        }
        return new TableCell(ReportFormat.Percent(t.Tpr)) { Details = details };
    }

    private static PageSection Roc(Figures figures)
    {
        string strongest = figures.RocAttacks == 1 ? "The strongest attack" : $"The {figures.RocAttacks} strongest attacks";
        return new PageSection("ROC curves",
        [
            new PageFigure(figures.Roc.Png, $"ROC curves of the {figures.RocAttacks} strongest attacks on log-log axes", figures.Roc.Width)
            {
                Caption = $"{strongest} of the table: true positive rate against false positive rate, both on log scales from 10⁻⁴ " +
                    "to 1, so the low-FPR region where an attack is trustworthy is visible. The dashed diagonal is chance (an attack " +
                    $"that guesses). Also saved as {AuditReport.RocPngFile} and {AuditReport.RocSvgFile}.",
            },
            new PageFigure(figures.RocFamilies.Png, "ROC curves of every attack, one panel per attack family", figures.RocFamilies.Width)
            {
                Caption = "Every attack, one panel per family, on the same log-log axes with the chance diagonal. An attack has " +
                    $"the same colour in every figure and in the table. Also saved as {AuditReport.RocFamiliesFile}.",
            },
        ], "roc");
    }

    private static PageSection Histograms(Figure figure) => new("Score distributions",
    [
        new PageFigure(figure.Png, "Member and non-member score histograms per attack", figure.Width)
        {
            Caption = "Fraction of members (orange) and non-members (blue) per score bin, one panel per attack, on bins spanning " +
                "the 0.5th–99.5th percentile of all scores (values beyond are counted in the edge bins). The more the two " +
                "distributions separate, the more the attack reveals.",
        },
    ], "histograms");

    private static PageSection Mint(IReadOnlyList<MintSummary> results)
    {
        TableColumn[] columns =
        [
            new("Detector"), new("Capture points"), new("Bal. acc.", "95% CI") { Numeric = true, Strong = true }, new("AUC", "95% CI") { Numeric = true },
            new("TPR at 1% FPR") { Numeric = true }, new("TPR at 0.1% FPR") { Numeric = true }, new("Evaluated", "used / unused") { Numeric = true },
        ];
        var rows = new List<TableRow>();
        foreach (var r in results)
        {
            AttackMetrics m = r.Metrics;
            TableCell points = new(string.Join(", ", r.Points))
            {
                Details = r.Points.Count > 0 && r.Reduction.Length > 0 ? [$"conv maps: {r.Reduction} over H×W"] : [],
            };
            rows.Add(new TableRow(
            [
                new TableCell($"MINT {r.Detector}") { Details = [$"{r.Epochs} epochs, " + (r.L1 > 0 ? $"L1 {ReportFormat.Ratio(r.L1)} on {r.Penalty}" : "no L1")] },
                points, Accuracy(r.BalancedAccuracy, r.BalancedAccuracyCi95, "at 0.5"), Auc(m),
                TprCell(AttackRanking.Find(m, 0.01), 0.01, m.NonMembers), TprCell(AttackRanking.Find(m, 0.001), 0.001, m.NonMembers),
                new TableCell($"{ReportFormat.Count(m.Members)} / {ReportFormat.Count(m.NonMembers)}") { Details = ["unused: " + r.UnusedSource] },
            ], r.Detector));
        }
        // The baselines are the same whichever detector they were written beside when the split is the same.
        var baselines = results.SelectMany(r => r.Baselines)
            .DistinctBy(b => (b.Name, b.Metrics.Members, b.Metrics.NonMembers, b.Metrics.Auc, b.Threshold)).ToList();
        foreach (var b in baselines)
        {
            var m = b.Metrics;
            rows.Add(new TableRow(
            [
                new TableCell(b.Name == MintBaselines.Loss ? "loss attack" : "max-confidence baseline")
                {
                    Details = [b.Name == MintBaselines.Loss ? "−loss, reads the label" : "max softmax probability, label-free"],
                },
                "model outputs", Accuracy(b.Eval.BalancedAccuracy, b.Eval.Ci95, "threshold from MINT-train"), Auc(m),
                TprCell(AttackRanking.Find(m, 0.01), 0.01, m.NonMembers), TprCell(AttackRanking.Find(m, 0.001), 0.001, m.NonMembers),
                $"{ReportFormat.Count(m.Members)} / {ReportFormat.Count(m.NonMembers)}",
            ], "baseline-" + b.Name));
        }
        return new PageSection("Membership Inference Test (MINT)",
        [
            new PageParagraph("An auditor who holds the model trains a detector on its internal activations to tell the data it was " +
                "trained on (used) from data it never saw (unused); each set is split 2/3 to train the detector and 1/3 to evaluate it. " +
                "Balanced accuracy is at the detector's threshold 0.5 (the paper's metric); AUC and TPR at FPR are from its probabilities " +
                "on the evaluation third, defined as for the attacks. Beside it, on the same model and the same evaluation samples: the " +
                "max-confidence baseline and the loss attack, each thresholded where it scores best on the detector's training two " +
                "thirds. A detector that loses to the label-free baseline has not learnt what the outputs alone give away.", Note: true),
            new PageTable(columns, rows) { Id = "mint-table" },
        ], "mint");
    }

    private static TableCell Accuracy(double value, Interval? ci, string how) => new(ReportFormat.Ratio(value))
    {
        Details = ci is { } c && double.IsFinite(c.Low) ? [$"[{ReportFormat.Ratio(c.Low)}, {ReportFormat.Ratio(c.High)}]", how] : [how],
    };
    /// <summary>Image-to-image runs: input | output | target of the members the attack scores highest and of
    /// the non-members it scores lowest, each with L_rec and L_pred.</summary>
    private static PageSection Translation(TranslationGallery gallery)
    {
        var blocks = new List<PageBlock>
        {
            new PageParagraph($"Each strip shows the input, the target model's output and the target. Ranked by {gallery.Attack}: " +
                "L_rec is the mean absolute error of the output, L_pred how well generic features of the input predict the target " +
                "with no training set (ALGORITHMS.md §10); a member whose L_rec is far below its L_pred is one the model remembers.", Note: true),
        };
        foreach (var (title, samples) in new[] { ("Most exposed members", gallery.Exposed), ("Most confidently rejected non-members", gallery.Rejected) })
        {
            blocks.Add(new PageParagraph(title));
            var items = samples.Select(x =>
            {
                var strip = gallery.Strip(x, out int h, out int w);
                int scale = Thumbnails.ScaleFor(h, w, 240);
                return new GalleryItem(Thumbnails.Png(strip, 1, h, w, scale), w * scale, h * scale, $"sample {x.Index.ToString(Inv)}", "#" + x.Index.ToString(Inv))
                {
                    Lines = ["L_rec " + ReportFormat.Score(x.Recon), "L_pred " + (x.Predictability is double p ? ReportFormat.Score(p) : "—")],
                    Detail = (x.Member ? "member" : "non-member") + ", score " + ReportFormat.Score(x.Score),
                };
            }).ToList();
            blocks.Add(items.Count == 0 ? new PageParagraph("None was kept by the query stage.", Note: true) : new PageGallery(items));
        }
        return new PageSection("Input, output and target", blocks, "exposed");
    }

    private static PageSection Exposed(ReportInput input)
    {
        const string Heading = "Most exposed samples";
        IReadOnlyList<ExposedSample> samples = input.MostExposed;
        if (samples.Count == 0)
        {
            return new PageSection(Heading, [new PageParagraph("No exposed samples were listed.", Note: true)], "exposed");
        }
        int shown = Math.Min(samples.Count, AuditReport.MaxExposedShown);
        string first = shown < samples.Count ? $" (the first {shown.ToString(Inv)} of {samples.Count.ToString(Inv)})" : "";
        var intro = new PageParagraph($"The records the attacks score as most likely members{first}. A high score on a true member " +
            "means the model reveals that this record was in its training data.", Note: true);

        var shape = Thumbnails.ParseShape(input.ImageShape);
        bool images = shape is { } s && samples.Take(shown).All(x => x.Pixels is null || x.Pixels.Length == s.Channels * s.Height * s.Width);
        if (images && shape is { } sh)
        {
            int scale = Thumbnails.ScaleFor(sh.Height, sh.Width);
            var items = samples.Take(shown).Select(x => new GalleryItem(
                x.Pixels is null ? null : Thumbnails.Png(x.Pixels, sh.Channels, sh.Height, sh.Width, scale),
                sh.Width * scale, sh.Height * scale, "sample " + x.Index.ToString(Inv), "#" + x.Index.ToString(Inv))
            {
                Lines = [LabelText(x.Label, input.ClassNames), "score " + ReportFormat.Score(x.Score)],
                Detail = x.Attack,
            }).ToList();
            return new PageSection(Heading, [intro, new PageGallery(items) { MissingImageText = "no pixels" }], "exposed");
        }

        const int Preview = 8;
        TableColumn[] columns =
        [
            new("Sample") { Numeric = true }, new("Label"), new("Score") { Numeric = true }, new("Attack"),
            new($"Features (first {Preview.ToString(Inv)})") { Mono = true },
        ];
        var rows = samples.Take(shown).Select(x =>
        {
            string features = x.Pixels is null ? "—"
                : string.Join(", ", x.Pixels.Take(Preview).Select(v => v.ToString("0.###", Inv))) + (x.Pixels.Length > Preview ? ", …" : "");
            return new TableRow(["#" + x.Index.ToString(Inv), LabelText(x.Label, input.ClassNames), ReportFormat.Score(x.Score), x.Attack, features]);
        }).ToList();
        return new PageSection(Heading, [intro, new PageTable(columns, rows)], "exposed");
    }

    private static string LabelText(long label, IReadOnlyList<string>? classNames)
    {
        string name = ReportPlots.ClassName(label, classNames);
        string number = label.ToString(Inv);
        return name == number ? $"class {number}" : $"{name} ({number})";
    }

    private static PageSection PerClass(ReportInput input, Figures figures)
    {
        const string Heading = "Per-class leakage";
        if (figures.PerClass is null || figures.PerClassAttack is null)
        {
            return new PageSection(Heading, [new PageParagraph("No per-class metrics were computed.", Note: true)], "per-class");
        }
        AttackReport a = figures.PerClassAttack;
        TableColumn[] columns =
        [
            new("Class"), new("Members") { Numeric = true }, new("Non-members") { Numeric = true }, new("AUC") { Numeric = true },
            new("Balanced accuracy") { Numeric = true }, new("Advantage") { Numeric = true },
        ];
        var rows = a.Metrics.PerClass.OrderBy(c => c.Label).Select(c => new TableRow(
        [
            LabelText(c.Label, input.ClassNames), ReportFormat.Count(c.Members), ReportFormat.Count(c.NonMembers),
            ReportFormat.Ratio(c.Auc), ReportFormat.Ratio(c.BalancedAccuracy), ReportFormat.Ratio(c.Advantage),
        ])).ToList();
        return new PageSection(Heading,
        [
            new PageFigure(figures.PerClass.Png, "AUC per class for " + a.Name, figures.PerClass.Width)
            {
                Caption = $"AUC of {a.Name} on the samples of each class; the dashed line is chance (0.5). Classes far above it are where the model leaks most.",
            },
            new PageTable(columns, rows) { Folded = "Per-class table" },
        ], "per-class");
    }

    private static PageSection Settings(ReportInput input)
    {
        if (input.Settings.Count == 0)
        {
            return new PageSection("Settings", [new PageParagraph("No settings were recorded.", Note: true)], "settings");
        }
        var rows = input.Settings.Select(s => new TableRow([s.Key, s.Value])).ToList();
        return new PageSection("Settings", [new PageTable([new("Setting"), new("Value") { Mono = true }], rows) { RowHeaders = true }], "settings");
    }

    /// <summary>The confidence level of the attacks' intervals (one evaluation gives them all one level).</summary>
    private static double LevelOf(IReadOnlyList<AttackReport> attacks) => attacks.Count > 0 ? attacks[0].Metrics.ConfidenceLevel : 0.95;

    private static IReadOnlyList<PageTerm> Definitions(double level) =>
    [
        new("Score", "Every attack outputs one score per sample; a higher score means \"more likely a member\". A sample is predicted a member when its score is at or above a threshold."),
        new("ROC curve", "One point per distinct score (tied scores form one step), from (0, 0) to (1, 1): the true positive rate (members caught) against the false positive rate (non-members wrongly flagged)."),
        new("AUC", "The probability that a random member scores higher than a random non-member, counting ties as ½ (the Mann–Whitney statistic, equal to the area under the ROC). 0.5 is chance."),
        new("Balanced accuracy", "The best, over all thresholds, of 1 − (FPR + FNR) / 2."),
        new("Advantage", "The best, over all thresholds, of TPR − FPR; it equals 2 × balanced accuracy − 1."),
        new("TPR at FPR ≤ α", "The highest TPR among the ROC points whose FPR is at most α — not interpolated between points. The achieved FPR of that point is shown under it."),
        new("Not estimable (n/e)", "When there are fewer than 1/α non-members, the only admissible point is FPR = 0, so TPR at α cannot be measured; the report marks it n/e instead of showing a misleading number."),
        new("Confidence intervals", $"TPR intervals are exact {ReportFormat.Confidence(level)} Clopper–Pearson intervals on the members; \"boot\" intervals and the AUC interval come from a stratified bootstrap (members and non-members resampled separately), percentile {ReportFormat.Confidence(level)}."),
        new("Chance", "An attack that guesses at random has TPR = FPR at every threshold, so at 0.1% FPR it finds 0.1% of members; \"× chance\" is TPR / α."),
        new("Attack family", "Attacks that share a method: metric thresholds on one output signal, label-only attacks, shadow-model classifiers, LiRA and RMIA likelihood ratios against reference models."),
    ];
}

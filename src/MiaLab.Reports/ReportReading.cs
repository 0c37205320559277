using MiaLab.Core.Evaluation;

namespace MiaLab.Reports;

/// <summary>The plain-language reading of an audit: a few sentences generated from the numbers with
/// fixed thresholds (the tables below), so the wording always follows the metrics. Returns plain text;
/// the HTML writer escapes it.</summary>
public static class ReportReading
{
    /// <summary>A wording band: used when the value is at least <see cref="Min"/> (bands are ordered high to low).</summary>
    internal sealed record Band(double Min, string Text);

    /// <summary>How well the scores separate members from non-members, by AUC.</summary>
    internal static readonly Band[] AucBands =
    [
        new(0.90, "very well: almost every member outranks almost every non-member"),
        new(0.75, "well"),
        new(0.60, "moderately"),
        new(0.53, "only slightly better than chance"),
        new(double.NegativeInfinity, "no better than chance"),
    ];

    /// <summary>What the TPR at a low FPR means, by its multiple of chance (TPR / α).</summary>
    internal static readonly Band[] LowFprBands =
    [
        new(20, "Many individual records can be singled out as training data with high confidence: the model leaks membership."),
        new(5, "Some individual records can be singled out as training data with confidence well above guessing."),
        new(1.5, "This is a small edge over guessing; few records are exposed with confidence."),
        new(double.NegativeInfinity, "At low false-positive rates the attack does no better than guessing, so no record is confidently exposed."),
    ];

    /// <summary>The train–test accuracy gap, in accuracy points.</summary>
    internal static readonly Band[] GapBands =
    [
        new(0.10, "a large gap, the overfitting that membership inference feeds on"),
        new(0.03, "a moderate gap"),
        new(double.NegativeInfinity, "a small gap"),
    ];

    /// <summary>AUC within this distance of 0.5 counts as "near 0.5".</summary>
    internal const double ChanceAucMargin = 0.03;

    internal static string Pick(IReadOnlyList<Band> bands, double value)
    {
        foreach (Band band in bands)
        {
            if (value >= band.Min)
            {
                return band.Text;
            }
        }
        return bands[^1].Text;
    }

    /// <summary>Composes the reading for a report: sentences, strongest attack first.</summary>
    public static IReadOnlyList<string> Compose(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sentences = new List<string>();
        IReadOnlyList<AttackReport> ranked = input.Attacks.Ranked();
        if (ranked.Count == 0)
        {
            sentences.Add("No attack results were supplied, so nothing can be said about membership leakage.");
        }
        else
        {
            sentences.AddRange(ComposeForAttack(ranked[0], ranked.Count > 1));
        }

        TargetSummary t = input.Target;
        if (double.IsFinite(t.TrainAccuracy) && double.IsFinite(t.TestAccuracy))
        {
            double gap = t.TrainAccuracy - t.TestAccuracy;
            sentences.Add(
                $"The target model reaches {ReportFormat.Percent(t.TrainAccuracy)} accuracy on its training data and " +
                $"{ReportFormat.Percent(t.TestAccuracy)} on held-out data, {Pick(GapBands, gap)} " +
                $"({ReportFormat.Number(gap * 100, "0.0")} points).");
        }
        return sentences;
    }

    /// <summary>The sentences about one attack (the strongest one in a report).</summary>
    public static IReadOnlyList<string> ComposeForAttack(AttackReport attack, bool isStrongestOfSeveral = true)
    {
        ArgumentNullException.ThrowIfNull(attack);
        var sentences = new List<string>();
        AttackMetrics m = attack.Metrics;
        string subject = isStrongestOfSeveral ? $"The strongest attack, {attack.Name}," : $"The attack {attack.Name}";

        // Low-FPR sentence: at 0.1% FPR when estimable, otherwise at the lowest level that is.
        TprAtFpr? ranking = AttackRanking.Find(m, AttackRanking.RankingLevel);
        TprAtFpr? used = ranking is { Estimable: true } ? ranking : null;
        if (used is null)
        {
            foreach (double level in AttackRanking.Levels.OrderBy(l => l))
            {
                TprAtFpr? candidate = AttackRanking.Find(m, level);
                if (candidate is { Estimable: true })
                {
                    used = candidate;
                    break;
                }
            }
        }

        if (used is not null && double.IsFinite(used.Tpr))
        {
            double multiple = used.Tpr / used.Alpha;
            string note = ranking is not null && !ranking.Estimable && used != ranking
                ? $" (with {ReportFormat.Count(m.NonMembers)} non-members, 0.1% false positives cannot be estimated)"
                : string.Empty;
            sentences.Add(
                $"{subject} identifies {ReportFormat.Percent(used.Tpr)} of members at {ReportFormat.Level(used.Alpha)} false positives " +
                $"(about {ReportFormat.Multiple(multiple)} chance){note}.");
            sentences.Add(Pick(LowFprBands, multiple));
        }
        else
        {
            sentences.Add(
                $"{subject.TrimEnd(',')} cannot be judged at low false-positive rates: with {ReportFormat.Count(m.NonMembers)} " +
                "non-members, no reported level is estimable.");
        }

        // AUC sentence and what AUC near 0.5 means.
        if (double.IsFinite(m.Auc))
        {
            string ci = m.AucCi is { } c ? $" ({ReportFormat.Confidence(m.ConfidenceLevel)} CI {ReportFormat.Ratio(c.Low)}–{ReportFormat.Ratio(c.High)})" : string.Empty;
            sentences.Add($"Its AUC is {ReportFormat.Ratio(m.Auc)}{ci}: its scores separate members from non-members {Pick(AucBands, m.Auc)}.");
            bool nearChance = Math.Abs(m.Auc - 0.5) < ChanceAucMargin
                || (m.AucCi is { } interval && interval.Low <= 0.5 && interval.High >= 0.5);
            sentences.Add(nearChance
                ? "An AUC this close to 0.5 means a random member gets a higher score than a random non-member about as often as a coin flip would decide it: on average the attack cannot tell training data from other data."
                : $"An AUC near 0.5 would mean the attack cannot tell members from non-members better than a coin flip; at {ReportFormat.Ratio(m.Auc)}, a random member outscores a random non-member {ReportFormat.Percent(m.Auc)} of the time.");
            if (!nearChance && m.Auc < 0.5)
            {
                sentences.Add("An AUC below 0.5 means non-members score higher than members: the scores point the wrong way, which suggests a sign error in the attack rather than privacy.");
            }
        }
        return sentences;
    }
}

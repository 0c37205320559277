using MiaLab.Core.Evaluation;

namespace MiaLab.Reports;

/// <summary>The report's attacks in Core's one ranking (<see cref="AttackRanking"/>), strongest first.</summary>
public static class AttackReportRanking
{
    public static IReadOnlyList<AttackReport> Ranked(this IEnumerable<AttackReport> attacks) =>
        AttackRanking.Rank(attacks, a => a.Metrics, a => a.Name);
}

namespace MiaLab.Core.Pipeline;

/// <summary>Progress of a long stage: what is being done, how far along, and of how much.</summary>
public sealed record StageProgress(string Task, double Done, double Total)
{
    /// <summary>A (done, total) callback for work whose steps finish on several threads (the
    /// bootstrap's resamples): it passes on about every hundredth step and the last, one at a time,
    /// as the progress <paramref name="report"/> makes of it. Null when nobody listens.</summary>
    public static Action<int, int>? Throttled(Action<StageProgress>? progress, Func<int, int, StageProgress> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (progress is null) return null;
        var gate = new object();
        return (done, total) =>
        {
            if (done % Math.Max(1, total / 100) != 0 && done != total) return;
            lock (gate) progress(report(done, total));
        };
    }
}

using MiaLab.Core.Pipeline;

namespace MiaLab.Core.Tests.Pipeline;

public sealed class StageProgressTests
{
    [Fact]
    public void ThrottledPassesOnEveryHundredthStepAndTheLast()
    {
        var seen = new List<StageProgress>();
        var onStep = StageProgress.Throttled(seen.Add, (done, total) => new StageProgress("bootstrap", done, total))!;
        for (int done = 1; done <= 1005; done++) onStep(done, 1005);
        // 1005 / 100 = 10: steps 10, 20, …, 1000 and then the last, 1005.
        Assert.Equal(101, seen.Count);
        Assert.Equal(10, seen[0].Done);
        Assert.Equal(1000, seen[^2].Done);
        Assert.Equal(new StageProgress("bootstrap", 1005, 1005), seen[^1]);
    }

    [Fact]
    public void ThrottledIsNullWhenNobodyListens() =>
        Assert.Null(StageProgress.Throttled(null, (done, total) => new StageProgress("x", done, total)));
}

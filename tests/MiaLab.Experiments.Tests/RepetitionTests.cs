using MiaLab.Core.Config;
using MiaLab.Torch.Pipeline;

namespace MiaLab.Experiments.Tests;

public class RepetitionTests
{
    private static RunConfig Config(double fraction, int times, int seed = 0)
    {
        var c = new RunConfig { Seed = seed };
        c.Training.RepeatFraction = fraction;
        c.Training.RepeatTimes = times;
        return c;
    }

    /// 100 of 150 samples are members: every third sample is out.
    private static bool[] Keep() => Enumerable.Range(0, 150).Select(i => i % 3 != 0).ToArray();

    [Fact]
    public void RepeatedSamplesAppearTheRightNumberOfTimes()
    {
        var keep = Keep();
        var list = TrainStage.TrainingList(Config(0.25, 10), keep, 0);
        var repeated = TrainStage.RepeatedMask(Config(0.25, 10), keep, 0);
        Assert.Equal(25, repeated.Count(r => r));
        Assert.All(Enumerable.Range(0, 150).Where(i => repeated[i]), i => Assert.True(keep[i]));
        Assert.Equal(75 + 25 * 10, list.Length);
        var counts = list.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(100, counts.Count);
        foreach (var (i, n) in counts)
        {
            Assert.True(keep[i]);
            Assert.Equal(repeated[i] ? 10 : 1, n);
        }
    }

    [Fact]
    public void RepetitionIsDeterministicPerSeedAndModel()
    {
        var keep = Keep();
        Assert.Equal(TrainStage.TrainingList(Config(0.25, 3), keep, 2), TrainStage.TrainingList(Config(0.25, 3), keep, 2));
        Assert.Equal(TrainStage.RepeatedMask(Config(0.25, 3), keep, 2), TrainStage.RepeatedMask(Config(0.25, 30), keep, 2));
        Assert.NotEqual(TrainStage.RepeatedMask(Config(0.25, 3), keep, 2), TrainStage.RepeatedMask(Config(0.25, 3), keep, 3));
        Assert.NotEqual(TrainStage.RepeatedMask(Config(0.25, 3), keep, 2), TrainStage.RepeatedMask(Config(0.25, 3, seed: 1), keep, 2));
    }

    [Theory]
    [InlineData(0.0, 10)]
    [InlineData(0.25, 1)]
    public void WithoutRepetitionTheListIsTheTrainingSet(double fraction, int times)
    {
        var keep = Keep();
        Assert.Equal(Enumerable.Range(0, 150).Where(i => keep[i]), TrainStage.TrainingList(Config(fraction, times), keep, 0));
        Assert.DoesNotContain(true, TrainStage.RepeatedMask(Config(fraction, times), keep, 0));
    }
}

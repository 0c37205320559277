using MiaLab.Core.Data;

namespace MiaLab.Core.Tests.Data;

public class SyntheticGaussianTests
{
    [Fact]
    public void TheSameSeedGivesTheSameData()
    {
        var a = SyntheticGaussian.Generate(100, 7, 3, 2.0, seed: 11);
        var b = SyntheticGaussian.Generate(100, 7, 3, 2.0, seed: 11);
        var c = SyntheticGaussian.Generate(100, 7, 3, 2.0, seed: 12);
        Assert.Equal(a.Features, b.Features);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.ComputeSha256(), b.ComputeSha256());
        Assert.NotEqual(a.Features, c.Features);
        Assert.Equal("synthetic", a.Name);
        Assert.Equal([7], a.SampleShape);
        Assert.Equal(3, a.NumClasses);
    }

    [Fact]
    public void ClassesAreBalancedAndShuffled()
    {
        var d = SyntheticGaussian.Generate(10, 2, 3, 1.0, seed: 5);
        var counts = Enumerable.Range(0, 3).Select(c => d.Labels.Count(l => l == c)).ToArray();
        Assert.Equal([4, 3, 3], counts);

        var big = SyntheticGaussian.Generate(1000, 2, 4, 1.0, seed: 5);
        Assert.All(Enumerable.Range(0, 4), c => Assert.Equal(250, big.Labels.Count(l => l == c)));
        // Not the unshuffled 0,1,2,3,0,1,… pattern.
        Assert.NotEqual(Enumerable.Range(0, 1000).Select(i => (long)(i % 4)), big.Labels);
    }

    [Fact]
    public void ClassMeansSitAtTheSeparationWithUnitVariance()
    {
        const int n = 8000, dims = 4;
        var d = SyntheticGaussian.Generate(n, dims, 2, separation: 10.0, seed: 1);
        for (int c = 0; c < 2; c++)
        {
            var rows = Enumerable.Range(0, n).Where(i => d.Labels[i] == c).ToList();
            var mean = new double[dims];
            foreach (int i in rows)
                for (int k = 0; k < dims; k++) mean[k] += d.Features[i * dims + k] / (double)rows.Count;
            double norm = Math.Sqrt(mean.Sum(m => m * m));
            Assert.InRange(norm, 9.9, 10.1); // standard error of each coordinate ≈ 1/√4000 ≈ 0.016

            double variance = rows.Sum(i => Math.Pow(d.Features[i * dims] - mean[0], 2)) / (rows.Count - 1);
            Assert.InRange(variance, 0.93, 1.07);
        }
    }

    [Fact]
    public void BadArgumentsNameTheOption()
    {
        Assert.Contains("dataset.synthetic.classes", Assert.Throws<InputException>(() => SyntheticGaussian.Generate(10, 2, 0, 1, 0)).Message);
        Assert.Contains("dataset.synthetic.samples", Assert.Throws<InputException>(() => SyntheticGaussian.Generate(2, 2, 3, 1, 0)).Message);
        Assert.Contains("dataset.synthetic.features", Assert.Throws<InputException>(() => SyntheticGaussian.Generate(10, 0, 2, 1, 0)).Message);
        Assert.Contains("dataset.synthetic.separation", Assert.Throws<InputException>(() => SyntheticGaussian.Generate(10, 2, 2, double.NaN, 0)).Message);
    }
}

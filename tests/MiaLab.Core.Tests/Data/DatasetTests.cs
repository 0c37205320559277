using MiaLab.Core.Data;

namespace MiaLab.Core.Tests.Data;

public class DatasetTests
{
    private static Dataset Small() =>
        new("small", [0, 1, 10, 11, 20, 21], [2], [0, 1, 2], 3);

    [Fact]
    public void PropertiesDescribeTheSamples()
    {
        var d = Small();
        Assert.Equal(3, d.Count);
        Assert.Equal(2, d.FeatureLength);
        Assert.False(d.IsImage);
        var img = new Dataset("img", new float[2 * 4], [1, 2, 2], [0, 0], 1);
        Assert.True(img.IsImage);
        Assert.Equal(4, img.FeatureLength);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheFirstBadIndexAndValue()
    {
        var e = Assert.Throws<InputException>(() => new Dataset("d", new float[8], [2], [0, 3, 5, -1], 3));
        Assert.Contains("'d'", e.Message);
        Assert.Contains("sample 1 is 3", e.Message);
        var neg = Assert.Throws<InputException>(() => new Dataset("d", new float[2], [2], [-1], 3));
        Assert.Contains("sample 0 is -1", neg.Message);
    }

    [Fact]
    public void NonFiniteFeaturesNameTheSample()
    {
        var e = Assert.Throws<InputException>(() => new Dataset("d", [0, 0, 0, float.NaN, 0, 0], [2], [0, 0, 0], 1));
        Assert.Contains("sample 1", e.Message);
        var inf = Assert.Throws<InputException>(() => new Dataset("d", [0, 0, 0, 0, float.PositiveInfinity, 0], [2], [0, 0, 0], 1));
        Assert.Contains("sample 2", inf.Message);
    }

    [Fact]
    public void FeatureLengthMustMatchSamplesTimesShape()
    {
        var e = Assert.Throws<InputException>(() => new Dataset("d", new float[5], [2], [0, 0, 0], 1));
        Assert.Contains("5 feature values", e.Message);
        Assert.Throws<InputException>(() => new Dataset("d", new float[0], [0], [0], 1));
        Assert.Throws<InputException>(() => new Dataset("d", new float[1], [], [0], 1));
        Assert.Throws<InputException>(() => new Dataset("d", new float[1], [1], [0], 0));
    }

    [Fact]
    public void SubsetCopiesTheChosenSamplesInOrder()
    {
        var s = Small().Subset([2, 0, 2]);
        Assert.Equal([20f, 21, 0, 1, 20, 21], s.Features);
        Assert.Equal([2L, 0, 2], s.Labels);
        Assert.Equal(3, s.NumClasses);
        Assert.Equal([2], s.SampleShape);
        Assert.Throws<ArgumentOutOfRangeException>(() => Small().Subset([3]));
    }

    [Fact]
    public void Sha256MatchesTheDocumentedByteLayout()
    {
        // int32 rank 1, int32 dim 2, int64 count 1, int64 label 1, float32 1 and 2 (all LE),
        // hashed independently with Python's hashlib.
        var d = new Dataset("any name", [1f, 2f], [2], [1], 5);
        Assert.Equal("7bb33ed9c4e88a8003bd04e2acacfd4a0b436bf7962c41180b901b7255bdf89e", d.ComputeSha256());
    }

    [Fact]
    public void Sha256ChangesWithLabelsFeaturesAndShape()
    {
        string h = Small().ComputeSha256();
        Assert.Equal(h, Small().ComputeSha256());
        Assert.NotEqual(h, new Dataset("small", [0, 1, 10, 11, 20, 21], [2], [0, 1, 1], 3).ComputeSha256());
        Assert.NotEqual(h, new Dataset("small", [0, 1, 10, 11, 20, 22], [2], [0, 1, 2], 3).ComputeSha256());
        Assert.NotEqual(
            new Dataset("a", new float[4], [4], [0], 1).ComputeSha256(),
            new Dataset("a", new float[4], [1, 2, 2], [0], 1).ComputeSha256());
    }
}

using MiaLab.Core.Translation;

namespace MiaLab.Core.Tests.Translation;

public sealed class BilinearTests
{
    [Fact]
    public void Upsampling_matches_half_pixel_centres()
    {
        // PyTorch: interpolate([[0, 1], [2, 3]], size 4, bilinear, align_corners=False).
        float[] expected =
        [
            0f, 0.25f, 0.75f, 1f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2f, 2.25f, 2.75f, 3f,
        ];
        Assert.Equal(expected, Bilinear.Resize([0f, 1f, 2f, 3f], 1, 2, 2, 4, 4));
    }

    [Fact]
    public void Halving_averages_neighbours_and_the_same_size_is_the_identity()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        // Output pixel 0 samples at 0.5 in both axes: the mean of 1, 2, 5, 6.
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], Bilinear.Resize(image, 1, 4, 4, 2, 2));
        Assert.Equal(image, Bilinear.Resize(image, 1, 4, 4, 4, 4));
    }
}

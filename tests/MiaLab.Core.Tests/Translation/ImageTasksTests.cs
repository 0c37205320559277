using MiaLab.Core.Config;
using MiaLab.Core.Randomness;
using MiaLab.Core.Translation;

namespace MiaLab.Core.Tests.Translation;

/// <summary>Each task's (input, target) on small images against values worked out by hand.</summary>
public sealed class ImageTasksTests
{
    // A vertical step: left column 0, the others 1.
    private static readonly float[] Step = [0, 1, 1, 0, 1, 1, 0, 1, 1];

    [Fact]
    public void Sobel_magnitude_of_a_step_matches_hand_values()
    {
        var m = ImageTasks.SobelMagnitude(Step, 3, 3);
        // Centre: gx = (1 + 2·1 + 1) − 0 = 4, gy = (0 + 2 + 1) − (0 + 2 + 1) = 0.
        Assert.Equal(4f, m[4], 5);
        // Top-left corner, zero outside: gx = 2·1 + 1 = 3, gy = 1 (below-right) − 0 = 1 → √10.
        Assert.Equal(MathF.Sqrt(10), m[0], 5);
        // Top-right corner: gx = 0 − (2·1 + 1) = −3, gy = (1 + 2·1) − 0 = 3 → √18.
        Assert.Equal(MathF.Sqrt(18), m[2], 5);
    }

    [Fact]
    public void Edges2image_input_is_the_thresholded_sobel_map_and_target_the_image()
    {
        var task = new TaskConfig { Kind = "edges2image", EdgeThreshold = 3.5 };
        var (input, target, channels) = ImageTasks.Pair(task, Step, 1, 3, 3, new StableRandom(1));
        // The top-left corner's √10 ≈ 3.16 is below 3.5, the centre's 4 above.
        var m = ImageTasks.SobelMagnitude(Step, 3, 3);
        Assert.Equal(m.Select(v => v >= 3.5 ? 1f : 0f), input);
        Assert.Equal(0f, input[0]);
        Assert.Equal(1f, input[4]);
        Assert.Equal(Step, target);
        Assert.Equal(1, channels);
    }

    [Fact]
    public void Block_mean_and_nearest_upsampling_match_hand_values()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        // 2×2 blocks: (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, (9+10+13+14)/4 = 11.5, 13.5.
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], ImageTasks.BlockMean(image, 1, 4, 4, 2));
        Assert.Equal([8.5f], ImageTasks.BlockMean(image, 1, 4, 4, 4));
        Assert.Equal([1f, 1f, 2f, 2f, 1f, 1f, 2f, 2f, 3f, 3f, 4f, 4f, 3f, 3f, 4f, 4f], ImageTasks.NearestUp([1f, 2f, 3f, 4f], 1, 2, 2, 2));
        Assert.Throws<InputException>(() => ImageTasks.BlockMean(image, 1, 4, 4, 3));
    }

    [Fact]
    public void Superres_input_is_the_block_mean_shown_at_full_size()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        var (input, target, _) = ImageTasks.Pair(new TaskConfig { Kind = "superres", Factor = 2 }, image, 1, 4, 4, new StableRandom(1));
        Assert.Equal([3.5f, 3.5f, 5.5f, 5.5f, 3.5f, 3.5f, 5.5f, 5.5f, 11.5f, 11.5f, 13.5f, 13.5f, 11.5f, 11.5f, 13.5f, 13.5f], input);
        Assert.Equal(image, target);
    }

    [Fact]
    public void Inpaint_zeroes_one_square_of_the_mask_size_and_keeps_the_rest()
    {
        var image = Enumerable.Repeat(0.5f, 36).ToArray();
        var (input, target, _) = ImageTasks.Pair(new TaskConfig { Kind = "inpaint", MaskSize = 2 }, image, 1, 6, 6, new StableRandom(7));
        var zeros = Enumerable.Range(0, 36).Where(i => input[i] == 0f).ToList();
        Assert.Equal(4, zeros.Count);
        int top = zeros[0] / 6, left = zeros[0] % 6;
        Assert.Equal([top * 6 + left, top * 6 + left + 1, (top + 1) * 6 + left, (top + 1) * 6 + left + 1], zeros);
        Assert.All(Enumerable.Range(0, 36).Except(zeros), i => Assert.Equal(0.5f, input[i]));
        Assert.Equal(image, target);
        // The square's place comes from the sample's stream: the same seed places it alike.
        Assert.Equal(input, ImageTasks.Pair(new TaskConfig { Kind = "inpaint", MaskSize = 2 }, image, 1, 6, 6, new StableRandom(7)).Input);
    }

    [Fact]
    public void Segment_target_is_the_foreground_mask()
    {
        float[] image = [0f, 0.04f, 0.06f, 1f];
        var (input, target, channels) = ImageTasks.Pair(new TaskConfig { Kind = "segment", ForegroundThreshold = 0.05 }, image, 1, 2, 2, new StableRandom(1));
        Assert.Equal(image, input);
        Assert.Equal([0f, 0f, 1f, 1f], target);
        Assert.Equal(1, channels);
    }

    [Fact]
    public void Denoise_adds_seeded_noise_clipped_to_the_unit_interval()
    {
        var image = Enumerable.Repeat(0.5f, 64).ToArray();
        var task = new TaskConfig { Kind = "denoise", NoiseStd = 0.3 };
        var a = ImageTasks.Pair(task, image, 1, 8, 8, new StableRandom(3)).Input;
        var b = ImageTasks.Pair(task, image, 1, 8, 8, new StableRandom(3)).Input;
        var c = ImageTasks.Pair(task, image, 1, 8, 8, new StableRandom(4)).Input;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(a, v => Math.Abs(v - 0.5f) > 0.05f);
    }

    [Fact]
    public void An_unknown_task_is_a_user_error()
    {
        var e = Assert.Throws<InputException>(() => ImageTasks.Pair(new TaskConfig { Kind = "colorize" }, Step, 1, 3, 3, new StableRandom(1)));
        Assert.Contains("task.kind", e.Message);
    }
}

using MiaLab.Core.Data;
using MiaLab.Core.Translation;

namespace MiaLab.Core.Tests.Translation;

public sealed class ReconstructionErrorTests
{
    [Fact]
    public void L_rec_is_the_mean_absolute_pixel_difference()
    {
        // |1 − 0| + |0.5 − 0.5| + |0 − 1| + |0.75 − 0.25| = 2.5 over 4 pixels.
        Assert.Equal(0.625, ReconstructionError.Of([0f, 0.5f, 1f, 0.25f], [1f, 0.5f, 0f, 0.75f]), 12);
        Assert.Equal(0, ReconstructionError.Of([0.3f, 0.7f], [0.3f, 0.7f]));
    }

    [Fact]
    public void A_flipped_query_is_compared_with_the_flipped_target()
    {
        // One 1×1×2 sample: target [0, 1]. The identity output [0, 1] is perfect; under the flip the
        // model saw the mirrored input, so an output [1, 0] is perfect too.
        var data = new Dataset("d", [0f, 0f], [1, 1, 2], [0], 1).WithTargets([0f, 1f], [1, 1, 2]);
        var errors = ReconstructionError.All([0f, 1f, 1f, 0f], data, ["identity", "hflip"]);
        Assert.Equal([0f, 0f], errors);
        var wrong = ReconstructionError.All([0f, 1f, 0f, 1f], data, ["identity", "hflip"]);
        Assert.Equal([0f, 1f], wrong);
    }

    [Fact]
    public void Outputs_of_another_size_than_the_targets_are_a_user_error()
    {
        var data = new Dataset("d", [0f, 0f], [1, 1, 2], [0], 1).WithTargets([0f, 1f], [1, 1, 2]);
        Assert.Throws<InputException>(() => ReconstructionError.All([0f, 1f, 1f], data, ["identity"]));
    }
}

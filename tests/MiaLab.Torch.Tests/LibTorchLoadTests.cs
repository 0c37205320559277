using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch.Tests;

public class LibTorchLoadTests
{
    [Fact]
    public void LibTorchLoadsAndOneSgdStepLowersTheLoss()
    {
        torch.manual_seed(1);
        var x = torch.randn(64, 4);
        var y = (x[.., 0] > 0).to(ScalarType.Int64);
        var model = torch.nn.Linear(4, 2);
        var opt = torch.optim.SGD(model.parameters(), 0.5);
        float Loss() => torch.nn.functional.cross_entropy(model.forward(x), y).item<float>();
        float before = Loss();
        for (int i = 0; i < 5; i++)
        {
            opt.zero_grad();
            torch.nn.functional.cross_entropy(model.forward(x), y).backward();
            opt.step();
        }
        Assert.True(Loss() < before, "five SGD steps on a separable problem must lower the loss");
    }
}

namespace MiaLab.Torch.Tests;

public class TorchDeviceTests
{
    [Fact]
    public void Device_cuda_on_the_cpu_build_is_one_clear_line()
    {
        var e = Assert.Throws<MiaLab.Core.InputException>(() => TorchDevice.Use("cuda"));
        Assert.Equal(TorchDevice.NoCudaMessage, e.Message);
        Assert.StartsWith("device cuda: this build of MiaLab uses TorchSharp-cpu", e.Message);
        TorchDevice.Use("cpu"); // and cpu stays available
    }
}

using MiaLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MiaLab.Torch;

/// <summary>
/// Where TorchSharp computes: the config's device (cpu | cuda), made libtorch's default device at
/// the start of every stage that trains or runs a model, so models and the tensors made for them
/// live there. Values are read back through <see cref="Host"/>. The CPU build (TorchSharp-cpu)
/// has no CUDA: device cuda is then one clear line, and docs/scale-out.md says how to build with
/// TorchSharp's CUDA package.
/// </summary>
public static class TorchDevice
{
    public const string NoCudaMessage =
        "device cuda: this build of MiaLab uses TorchSharp-cpu, which has no CUDA; build it with -p:MiaLabDevice=cuda " +
        "on a machine with an NVIDIA GPU and CUDA (docs/scale-out.md), or use device cpu";

    /// <summary>Makes <paramref name="device"/> (null = cpu) the default for new tensors.</summary>
    public static void Use(string? device)
    {
        switch (device)
        {
            case null or "cpu":
                torch.set_default_device(torch.CPU);
                break;
            case "cuda":
                if (!torch.cuda.is_available()) throw new InputException(NoCudaMessage);
                torch.set_default_device(torch.CUDA);
                break;
            default:
                throw new InputException($"device must be one of cpu, cuda (got '{device}')");
        }
    }

    /// <summary>The tensor itself on the CPU, else a copy there (for reading its values).</summary>
    public static Tensor Host(Tensor t) => t.device_type == DeviceType.CPU ? t : t.cpu();

    /// <summary>The tensor on the default device (step inputs are filled on the CPU by memcpy).</summary>
    public static Tensor OnDefault(Tensor t)
    {
        var device = torch.get_default_device();
        return device.type == t.device_type ? t : t.to(device);
    }
}

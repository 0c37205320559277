namespace MiaLab.Onnx;

/// <summary>What ONNX Runtime can compute on in this build (the CPU package has no CUDA provider).</summary>
public static class OnnxDevice
{
    public const string NoCudaMessage =
        "device cuda: this build's ONNX Runtime (Microsoft.ML.OnnxRuntime, CPU) has no CUDA execution provider; " +
        "build MiaLab with -p:MiaLabDevice=cuda on a machine with CUDA (docs/scale-out.md), or use device cpu";
}

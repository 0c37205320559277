using System.CommandLine;
using MiaLab.Core;
using MiaLab.Core.Config;

namespace MiaLab.Cli.Commands;

/// <summary>Options shared by several commands, defined once.</summary>
internal static class Options
{
    /// <summary>--run: the folder a command reads and writes (a run directory, or a study's folder of them).</summary>
    public static Option<string> Run(bool required = true, bool create = true) => new("--run")
    {
        Description = create ? "The run directory (created if needed)." : "The run directory.",
        Required = required,
    };

    public static Option<string> Config(bool required) => new("--config")
    {
        Description = "A YAML or JSON config file (see examples/).",
        Required = required,
    };

    public static Option<int> Bootstrap() => new("--bootstrap")
    {
        Description = $"Bootstrap resamples for the confidence intervals (0 = none, at most {MaxBootstrap}).",
        DefaultValueFactory = _ => 1000,
    };

    public const int MaxBootstrap = 100_000;

    /// <summary>A checked --bootstrap value.</summary>
    public static int CheckBootstrap(int value) =>
        value is >= 0 and <= MaxBootstrap ? value : throw new InputException($"--bootstrap must be between 0 and {MaxBootstrap} (got {value})");

    /// <summary>--device: where models compute; overrides the config's device.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = "cpu | cuda: where TorchSharp and ONNX Runtime compute (default: the config's device, else cpu; cuda needs the CUDA build).",
    };

    /// <summary>The config with --device applied (checked like the config key).</summary>
    public static RunConfig WithDevice(RunConfig config, string? device)
    {
        if (device is null) return config;
        if (!ConfigFile.Devices.Contains(device))
            throw new InputException($"--device must be one of {string.Join(", ", ConfigFile.Devices)} (got '{device}')");
        config.Device = device;
        return config;
    }

    public static Option<int?> Target() => new("--target") { Description = "The target model (default 0)." };
}

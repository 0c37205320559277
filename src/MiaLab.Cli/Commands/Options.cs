using System.CommandLine;
using MiaLab.Core;

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

    public const int MaxBootstrap = MiaLab.Core.Config.ConfigFile.MaxBootstrapResamples;

    public static Option<double> Confidence() => new("--confidence")
    {
        Description = "Confidence level of every interval, in (0, 1).",
        DefaultValueFactory = _ => 0.95,
    };

    /// <summary>A checked --confidence value.</summary>
    public static double CheckConfidence(double value) =>
        value > 0 && value < 1 ? value : throw new InputException($"--confidence must be in (0, 1) (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");

    /// <summary>A checked --bootstrap value.</summary>
    public static int CheckBootstrap(int value) =>
        value is >= 0 and <= MaxBootstrap ? value : throw new InputException($"--bootstrap must be between 0 and {MaxBootstrap} (got {value})");

    public static Option<int?> Target() => new("--target") { Description = "The target model (default 0)." };
}

using System.CommandLine;
using System.Globalization;
using System.Numerics;
using MiaLab.Core;
using MiaLab.Core.Config;

namespace MiaLab.Cli.Commands;

/// <summary>Options shared by several commands, defined once; every numeric option has a range that
/// the parser checks before any work starts (a value outside it is a one-line usage error).</summary>
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

    public const int MaxBootstrap = MiaLab.Core.Config.ConfigFile.MaxBootstrapResamples;

    public static Option<double> Confidence() => new("--confidence")
    {
        Description = "Confidence level of every interval, in (0, 1).",
        DefaultValueFactory = _ => 0.95,
    };

    /// <summary>A checked --confidence value.</summary>
    public static double CheckConfidence(double value) =>
        value > 0 && value < 1 ? value : throw new InputException($"--confidence must be in (0, 1) (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");

    public static Option<int> Bootstrap() =>
        Number("--bootstrap", "Bootstrap resamples for the confidence intervals (0 = none).", 0, MaxBootstrap, 1000);

    public static Option<int?> Target() => OptionalNumber("--target", "The target model (default 0).", 0, 1_000_000);

    /// <summary>A numeric option with a default and an inclusive range, stated in its help.</summary>
    public static Option<T> Number<T>(string name, string description, T min, T max, T defaultValue) where T : struct, INumber<T>
    {
        var option = new Option<T>(name)
        {
            Description = $"{description} Range {Show(min)}…{Show(max)}.",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            if (Parsed<T>(result) is T value) Check(result, name, value, min, max);
        });
        return option;
    }

    /// <summary>A numeric option that must be given, with an inclusive range.</summary>
    public static Option<T> RequiredNumber<T>(string name, string description, T min, T max) where T : struct, INumber<T>
    {
        var option = new Option<T>(name) { Description = $"{description} Range {Show(min)}…{Show(max)}.", Required = true };
        option.Validators.Add(result =>
        {
            if (Parsed<T>(result) is T value) Check(result, name, value, min, max);
        });
        return option;
    }

    /// <summary>A numeric option that may be left out (null), with an inclusive range.</summary>
    public static Option<T?> OptionalNumber<T>(string name, string description, T min, T max) where T : struct, INumber<T>
    {
        var option = new Option<T?>(name) { Description = $"{description} Range {Show(min)}…{Show(max)}." };
        option.Validators.Add(result =>
        {
            if (Parsed<T>(result) is T value) Check(result, name, value, min, max);
        });
        return option;
    }

    /// <summary>Makes every text option of the tree refuse an empty value: "" is never a path or a list.</summary>
    public static void RefuseEmptyText(Command command)
    {
        foreach (var option in command.Options.OfType<Option<string>>())
            option.Validators.Add(result =>
            {
                if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
                    result.AddError($"{option.Name} is empty; give a value or leave the option out");
            });
        foreach (var sub in command.Subcommands) RefuseEmptyText(sub);
    }

    /// <summary>The option's value, or null when it did not parse (the parser reports that itself) or was left out.</summary>
    private static T? Parsed<T>(System.CommandLine.Parsing.OptionResult result) where T : struct
    {
        try
        {
            return result.GetValueOrDefault<T?>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void Check<T>(System.CommandLine.Parsing.OptionResult result, string name, T value, T min, T max) where T : struct, INumber<T>
    {
        if (value is double d && !double.IsFinite(d)) result.AddError($"{name} must be a finite number (got {Show(value)})");
        else if (value < min || value > max) result.AddError($"{name} must be between {Show(min)} and {Show(max)} (got {Show(value)})");
    }

    private static string Show<T>(T value) where T : INumber<T> => value.ToString(null, CultureInfo.InvariantCulture);
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

}

using System.CommandLine;

namespace MiaLab.Cli.Commands;

/// <summary>Options shared by several commands, defined once.</summary>
internal static class Options
{
    public static Option<string> Run(bool required = true) => new("--run")
    {
        Description = "The run directory (created if needed).",
        Required = required,
    };

    public static Option<string> Config(bool required) => new("--config")
    {
        Description = "A YAML or JSON config file (see examples/).",
        Required = required,
    };
}

using System.Reflection;

namespace MiaLab.Core;

/// <summary>MiaLab's version, as recorded in manifests, metrics files and reports.</summary>
public static class ToolVersion
{
    /// <summary>The informational version of the build (e.g. "0.1.0+commit").</summary>
    public static string Text { get; } =
        typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ToolVersion).Assembly.GetName().Version?.ToString() ?? "unknown";
}

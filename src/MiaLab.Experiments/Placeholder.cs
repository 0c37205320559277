namespace MiaLab.Experiments;

/// <summary>Marks the assembly; the factor study lands here.</summary>
internal static class AssemblyMarker;

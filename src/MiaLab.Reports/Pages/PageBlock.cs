namespace MiaLab.Reports.Pages;

/// <summary>One piece of a section's content. Each kind has its own template in Templates/, named by
/// <see cref="Kind"/>.</summary>
public abstract record PageBlock
{
    /// <summary>The template that draws this block.</summary>
    public abstract string Kind { get; }
}

namespace MiaLab.Reports.Pages;

/// <summary>A list of terms and what they mean: definitions, or what each attack does.</summary>
public sealed record PageTerms(IReadOnlyList<PageTerm> Entries) : PageBlock
{
    public override string Kind => "terms";
}

public sealed record PageTerm(string Term, string Text);

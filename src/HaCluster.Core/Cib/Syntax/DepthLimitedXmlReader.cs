using System.Xml;

namespace HaCluster.Core.Cib.Syntax;

/// <summary>
/// An XmlReader that stops at <see cref="InputLimits.MaxXmlDepth"/> elements deep with an
/// XmlException (and its line), before anything deeper is built: LINQ to XML checks every node
/// added against its ancestors, so a document 100,000 elements deep took 48 s to read (issue 22).
/// Everything else is the inner reader's.
/// </summary>
internal sealed class DepthLimitedXmlReader(XmlReader inner) : XmlReader, IXmlLineInfo
{
    public override bool Read()
    {
        var more = inner.Read();
        if (more && inner.NodeType == XmlNodeType.Element && inner.Depth >= InputLimits.MaxXmlDepth)
            throw new XmlException($"elements nested more than {InputLimits.MaxXmlDepth} deep", null, LineNumber, LinePosition);
        return more;
    }

    public int LineNumber => inner is IXmlLineInfo l ? l.LineNumber : 0;
    public int LinePosition => inner is IXmlLineInfo l ? l.LinePosition : 0;
    public bool HasLineInfo() => inner is IXmlLineInfo l && l.HasLineInfo();

    public override XmlNodeType NodeType => inner.NodeType;
    public override string LocalName => inner.LocalName;
    public override string NamespaceURI => inner.NamespaceURI;
    public override string Prefix => inner.Prefix;
    public override string Value => inner.Value;
    public override int Depth => inner.Depth;
    public override string BaseURI => inner.BaseURI;
    public override bool IsEmptyElement => inner.IsEmptyElement;
    public override int AttributeCount => inner.AttributeCount;
    public override bool EOF => inner.EOF;
    public override ReadState ReadState => inner.ReadState;
    public override XmlNameTable NameTable => inner.NameTable;
    public override bool IsDefault => inner.IsDefault;
    public override char QuoteChar => inner.QuoteChar;
    public override XmlSpace XmlSpace => inner.XmlSpace;
    public override string XmlLang => inner.XmlLang;
    public override string Name => inner.Name;
    public override bool HasValue => inner.HasValue;
    public override string GetAttribute(string name) => inner.GetAttribute(name)!;
    public override string GetAttribute(string name, string? namespaceURI) => inner.GetAttribute(name, namespaceURI)!;
    public override string GetAttribute(int i) => inner.GetAttribute(i);
    public override bool MoveToAttribute(string name) => inner.MoveToAttribute(name);
    public override bool MoveToAttribute(string name, string? ns) => inner.MoveToAttribute(name, ns);
    public override void MoveToAttribute(int i) => inner.MoveToAttribute(i);
    public override bool MoveToFirstAttribute() => inner.MoveToFirstAttribute();
    public override bool MoveToNextAttribute() => inner.MoveToNextAttribute();
    public override bool MoveToElement() => inner.MoveToElement();
    public override bool ReadAttributeValue() => inner.ReadAttributeValue();
    public override string? LookupNamespace(string prefix) => inner.LookupNamespace(prefix);
    public override void ResolveEntity() => inner.ResolveEntity();
    public override bool CanResolveEntity => inner.CanResolveEntity;
    public override void Close() => inner.Close();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

"""The goods model: what a parcel holds, read from its description in any language."""

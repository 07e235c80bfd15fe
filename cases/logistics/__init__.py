"""Residency logistics: passports and visas, travel legs, insurance and accompanying persons,
the stage checks they feed and the warnings when a document no longer covers the stay."""

"""The demo history generator (`hph seed --history DAYS`): a plan decided from a seed
(`plan`) played through the real services on a simulated clock (`driver`)."""

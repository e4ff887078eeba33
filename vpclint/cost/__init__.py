"""What the NAT gateway costs: prices, the two savings models, NAT metrics and flow-log attribution."""

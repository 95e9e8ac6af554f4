// Request and response types of RuleEngine. Field names are the platform's wire names.

export {};

// Request and response types of BatchProcess. Field names are the platform's wire names.

export {};

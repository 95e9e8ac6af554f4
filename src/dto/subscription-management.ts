// Request and response types of SubscriptionManagement. Field names are the platform's wire names.

export {};

// Request and response types of SignalDelivery. Field names are the platform's wire names.

export {};

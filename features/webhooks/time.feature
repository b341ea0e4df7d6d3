@webhooks @simulation @serial
Feature: Rules that run on the clock
  Some rules of the guides are about time: an IDnow link is valid for 14 days, a new card can
  be activated 24 hours after it was ordered, and a German account opened without a tax
  identification is blocked after 90 days until one arrives. On the mock, time passes at
  once, and every rule that falls due runs in the order it would have run.

  Background:
    Given a German retail customer who agreed to every legal screen

  Scenario: The video identification link expires after 14 days
    Given the customer is registered as a person
    When the partner starts a video identification with IDnow in "EN"
    And the partner requests the video identification
    And 13 days pass
    Then the identification is "pending"
    When 1 day passes
    Then the identification is "expired"
    And within 5 seconds the partner receives an IDENTIFICATION webhook for the customer whose "status" is "expired"
    And the video identification cannot be requested again

  Scenario: A card can be activated 24 hours after it was ordered
    Given the customer has been onboarded with a current account
    When the partner orders a "VISA_DEBIT" card for the account
    Then the card is ready for activation within 10 seconds
    When the customer activates the card
    Then the request is refused with status 403 and code "unauthorized_action"
    When 23 hours pass
    And the customer activates the card
    Then the request is refused with status 403 and code "unauthorized_action"
    When 1 hour passes
    And the customer activates the card
    Then the card is active
    And within 5 seconds the partner receives a CARD_LIFECYCLE_EVENT webhook for the customer whose "status" is "ACTIVE"
    And the webhook is about the card

  Scenario: A German account without a tax identification is blocked after 90 days, until one arrives
    Given the customer has been onboarded with a current account, without a tax identification
    When 89 days pass
    Then the account is not blocked
    When 1 day passes
    Then the account is debit-blocked because of "MISSING_TAX_INFORMATION"
    And within 5 seconds the partner receives an ACCOUNT_BLOCK webhook for the customer whose "locking_status" is "DEBIT_BLOCK"
    When the partner records the German tax identification number "48954371207" as primary
    Then the account is not blocked
    And within 5 seconds the partner receives an ACCOUNT_BLOCK webhook for the customer whose "locking_status" is "NO_BLOCK"

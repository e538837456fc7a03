// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ISponsorPool
/// @notice Sponsor deposits in a stablecoin, split into LOCAL/NATIONAL/GLOBAL buckets per campaign.
interface ISponsorPool {
    /// @notice Destination buckets of a deposit.
    enum Bucket {
        LOCAL,
        NATIONAL,
        GLOBAL
    }

    /// @notice Basis-point split of deposits; the three parts sum to 10,000.
    struct Split {
        uint16 local;
        uint16 national;
        uint16 global;
    }

    /// @notice The split does not sum to 10,000 basis points.
    error HeartInvalidSplit(uint256 local, uint256 national, uint256 global);

    /// @notice Deposits and disbursements must move a positive amount.
    error HeartZeroAmount();

    /// @notice The bucket of the campaign holds less than the requested disbursement.
    error HeartInsufficientBucket(Bucket bucket, bytes32 campaignId, uint256 balance, uint256 requested);

    /// @notice An address argument was the zero address.
    error HeartZeroAddress();

    /// @notice Emitted when `sponsor` deposited `amount` for `campaignId` in `zoneId`, split as given.
    event Funded(
        address indexed sponsor,
        bytes32 indexed campaignId,
        bytes32 indexed zoneId,
        uint256 amount,
        uint256 local,
        uint256 national,
        uint256 global
    );

    /// @notice Emitted when the treasurer paid `amount` from a campaign bucket to `to`.
    event Disbursed(
        Bucket indexed bucket, bytes32 indexed campaignId, address indexed to, uint256 amount, bytes32 paymentReference
    );

    /// @notice Emitted when the governor changed the split applied to future deposits.
    event SplitChanged(uint16 local, uint16 national, uint16 global);

    /// @notice Deposits `amount` stablecoin (pre-approved) for a campaign, split by the current split.
    function fund(bytes32 campaignId, bytes32 zoneId, uint256 amount) external;

    /// @notice Like {fund}, with an EIP-2612 permit (a failed permit is ignored if the allowance suffices).
    function fundWithPermit(
        bytes32 campaignId,
        bytes32 zoneId,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Pays `amount` from `bucket` of `campaignId` to `to`. Only TREASURER_ROLE.
    /// @param paymentReference Off-chain payout reference (e.g. invoice id hash).
    function disburse(Bucket bucket, bytes32 campaignId, address to, uint256 amount, bytes32 paymentReference) external;

    /// @notice Sets the split for future deposits. Only GOVERNOR_ROLE.
    function setSplit(uint16 local, uint16 national, uint16 global) external;

    /// @notice Pauses deposits and disbursements. Only PAUSER_ROLE.
    function pause() external;

    /// @notice Resumes deposits and disbursements. Only PAUSER_ROLE.
    function unpause() external;

    /// @notice The deposit token.
    function stablecoin() external view returns (address);

    /// @notice The current split.
    function split() external view returns (Split memory);

    /// @notice Balance of `bucket` for `campaignId`.
    function bucketBalance(bytes32 campaignId, Bucket bucket) external view returns (uint256);

    /// @notice Balance of `bucket` summed over all campaigns.
    function bucketTotal(Bucket bucket) external view returns (uint256);

    /// @notice Total ever deposited by `sponsor`.
    function sponsorTotal(address sponsor) external view returns (uint256);

    /// @notice Total ever deposited for `campaignId`.
    function campaignTotal(bytes32 campaignId) external view returns (uint256);

    /// @notice Total ever deposited.
    function totalFunded() external view returns (uint256);

    /// @notice Total ever disbursed.
    function totalDisbursed() external view returns (uint256);

    /// @notice Bucket balances against the pool's token balance.
    /// @return local Sum of LOCAL buckets.
    /// @return national Sum of NATIONAL buckets.
    /// @return global Sum of GLOBAL buckets.
    /// @return balance Stablecoin balance of the pool.
    /// @return solvent Whether balance >= local + national + global.
    function solvency()
        external
        view
        returns (uint256 local, uint256 national, uint256 global, uint256 balance, bool solvent);
}
